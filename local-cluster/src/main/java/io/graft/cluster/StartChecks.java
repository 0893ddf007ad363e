package io.graft.cluster;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a cluster start checks and what it says when it fails: ports still taken by a server that
 * runs, a member whose database failed to start (no leader can come from it), and the members'
 * recent errors for the message.
 */
final class StartChecks {
  private StartChecks() {}

  /** Fails naming the port and the member if a port of a member that is not running is taken. */
  static void portsFree(List<ServerProcess> servers) {
    for (ServerProcess server : servers) {
      MemberSpec spec = server.home().spec();
      if (server.isAlive()) {
        continue;
      }
      for (int port : List.of(spec.boltPort(), spec.httpPort(), spec.raftListenPort())) {
        if (!Ports.isFree(port)) {
          throw new IllegalStateException("port " + port + " of " + spec.name()
              + " is busy (another server still running? try: ./graft cluster stop)");
        }
      }
    }
  }

  /** The first member (by number) whose database failed to start since its launch, if any. */
  static Optional<String> databaseFailure(Map<Integer, ServerProcess> members) {
    for (Map.Entry<Integer, ServerProcess> member : members.entrySet()) {
      Optional<String> failure = member.getValue().databaseFailure();
      if (failure.isPresent()) {
        return Optional.of("member-" + member.getKey() + ": " + failure.get());
      }
    }
    return Optional.empty();
  }

  /** The last ERROR lines of each member's debug.log, one block per member, for a message. */
  static String recentErrors(Map<Integer, ServerProcess> members) {
    StringBuilder out = new StringBuilder();
    members.forEach((m, server) -> {
      List<String> errors = server.recentErrors(4);
      if (!errors.isEmpty()) {
        out.append("\n---- member-").append(m).append(" recent errors (")
            .append(server.home().logs().resolve("debug.log")).append("):\n")
            .append(String.join("\n", errors));
      }
    });
    return out.toString();
  }
}
