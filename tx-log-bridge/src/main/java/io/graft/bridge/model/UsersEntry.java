package io.graft.bridge.model;

import java.util.List;

/**
 * Changes to users made by one security command on the leader's system database (CREATE, ALTER,
 * RENAME or DROP USER, ALTER CURRENT USER SET PASSWORD), in the order they apply: the resulting
 * state of each user it touched. Replicated through the same Raft log as graph transactions, so
 * every member applies user changes and graph writes in one order (docs/SECURITY-DESIGN.md).
 */
public record UsersEntry(List<UserRecord> changes) implements ReplicatedEntry {
  public UsersEntry {
    changes = List.copyOf(changes);
    if (changes.isEmpty()) {
      throw new IllegalArgumentException("a users entry changes at least one user");
    }
  }

  @Override
  public <R> R accept(Visitor<R> visitor) throws Exception {
    return visitor.visitUsers(this);
  }
}
