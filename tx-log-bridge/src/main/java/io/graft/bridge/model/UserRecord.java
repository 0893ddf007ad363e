package io.graft.bridge.model;

import java.util.Objects;

/**
 * One native user of Neo4j Community as the cluster replicates it: the state of the {@code :User}
 * node in a member's system database after a change, or its removal ({@link #dropped}). The
 * password travels only as Neo4j's own salted hash ({@code credentials}, e.g. {@code
 * SHA-256,<hash>,<salt>,1024}), never in clear.
 *
 * @param credentials Neo4j's serialized credential, null when {@link #dropped}
 * @param passwordChangeRequired the user must change the password at the next login
 * @param suspended kept as Neo4j stores it (always false in Community, which cannot suspend)
 */
public record UserRecord(String name, String credentials, boolean passwordChangeRequired,
    boolean suspended) {

  public UserRecord {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("a user name is not empty");
    }
  }

  /** The user is gone: a DROP USER (or the old name of a RENAME USER). */
  public static UserRecord drop(String name) {
    return new UserRecord(name, null, false, false);
  }

  public boolean dropped() {
    return credentials == null;
  }

  /** The credentials stay out of log lines and test reports. */
  @Override
  public String toString() {
    return dropped() ? "UserRecord[" + name + " dropped]" : "UserRecord[" + name
        + ", passwordChangeRequired=" + passwordChangeRequired + ", suspended=" + suspended + "]";
  }
}
