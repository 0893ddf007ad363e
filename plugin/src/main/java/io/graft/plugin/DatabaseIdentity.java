package io.graft.plugin;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The replicated database's identity, the same on every member of one cluster: a name-based (type
 * 3) UUID of the cluster id and the database name. Neo4j keeps a database's UUID in the system
 * graph and embeds it in every element id (docs/NEO4J-INTERNALS.md §8.1 item 2), so members that
 * created their stores independently still hand out identical element ids. Deliberately NOT derived
 * from {@code initial_members}: a member added later lists different founders.
 */
public final class DatabaseIdentity {
  private DatabaseIdentity() {}

  public static UUID of(String clusterId, String databaseName) {
    return UUID.nameUUIDFromBytes(
        ("graft/" + clusterId + "/" + databaseName).getBytes(StandardCharsets.UTF_8));
  }
}
