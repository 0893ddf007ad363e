package io.graft.plugin.users;

import io.graft.bridge.model.UserRecord;
import java.util.Map;
import java.util.Objects;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Transaction;
import org.neo4j.server.security.SecureHasherConfigurations;

/**
 * A member's own users, in its system database: read through the core API (the system database
 * takes no MATCH) and changed only through Neo4j's supported administration commands, which keep
 * the {@code :Auth} nodes and constraints as Neo4j wants them. A replicated password is set with
 * {@code SET ENCRYPTED PASSWORD}: the hash and salt of the leader's credential, so no password is
 * ever seen in clear and the stored credential is byte for byte the leader's.
 */
final class SystemUsers {
  private final GraphDatabaseService system;

  SystemUsers(GraphDatabaseService system) {
    this.system = Objects.requireNonNull(system, "system");
  }

  /** The user's state here, or null if this member has no such user. */
  UserRecord read(String name) {
    try (Transaction tx = system.beginTx()) {
      Node node = tx.findNode(UserChanges.USER, UserChanges.NAME, name);
      if (node == null) {
        return null;
      }
      Object credentials = node.getProperty(UserChanges.CREDENTIALS, null);
      return new UserRecord(name, credentials instanceof String c ? c : "",
          Boolean.TRUE.equals(node.getProperty(UserChanges.CHANGE_REQUIRED, false)),
          Boolean.TRUE.equals(node.getProperty(UserChanges.SUSPENDED, false)));
    }
  }

  /**
   * Makes this member's user equal to {@code desired} (a no-op when it already is).
   *
   * @return what was done, for the log, or null when nothing was needed
   */
  String converge(UserRecord desired) {
    UserRecord current = read(desired.name());
    Map<String, Object> params;
    if (desired.dropped()) {
      if (current == null) {
        return null;
      }
      system.executeTransactionally("DROP USER $name IF EXISTS", Map.of("name", desired.name()));
      return "dropped";
    }
    String change = desired.passwordChangeRequired() ? "CHANGE REQUIRED" : "CHANGE NOT REQUIRED";
    params = Map.of("name", desired.name(), "password", encrypted(desired.credentials()));
    if (current == null) {
      system.executeTransactionally("CREATE USER $name SET ENCRYPTED PASSWORD $password "
          + change, params);
      return "created";
    }
    if (!current.credentials().equals(desired.credentials())) {
      system.executeTransactionally("ALTER USER $name SET ENCRYPTED PASSWORD $password "
          + change, params);
      return "password changed";
    }
    if (current.passwordChangeRequired() != desired.passwordChangeRequired()) {
      system.executeTransactionally("ALTER USER $name SET PASSWORD " + change,
          Map.of("name", desired.name()));
      return "password change " + (desired.passwordChangeRequired() ? "required" : "not required");
    }
    return null;
  }

  /**
   * Neo4j stores {@code <algorithm>,<hash>,<salt>,<iterations>}; {@code SET ENCRYPTED PASSWORD}
   * takes {@code <version>,<hash>,<salt>}, the version naming the algorithm and iterations
   * (SystemGraphCredential, SecureHasherConfigurations).
   */
  static String encrypted(String credentials) {
    String[] parts = credentials.split(",");
    if (parts.length != 4) {
      throw new IllegalArgumentException("graft: a replicated credential has " + parts.length
          + " parts, not Neo4j's algorithm,hash,salt,iterations");
    }
    String version = SecureHasherConfigurations.getVersionForConfiguration(parts[0],
        Integer.parseInt(parts[3]));
    return version + "," + parts[1] + "," + parts[2];
  }
}
