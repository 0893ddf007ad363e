package io.graft.plugin.routing;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The routing table graft hands to {@code neo4j://} drivers for the replicated database, as plain
 * "host:port" strings (the Neo4j adapter turns them into {@code SocketAddress}es).
 *
 * <ul>
 *   <li>WRITE: the leader, only. With no known leader (election running) there is no writer: the
 *       driver treats the table as stale for writes, refreshes, and its retry loop waits.
 *   <li>READ: the voting followers; the leader too when it would otherwise be alone. Learners
 *       (being caught up) are left out, they may be far behind.
 *   <li>ROUTE: every member with a known Bolt address, this one first, so any of them can answer
 *       the next refresh.
 * </ul>
 *
 * <p>Members whose Bolt address is unknown are left out rather than guessed.
 */
public record RaftRoutingTable(
    List<String> routers, List<String> writers, List<String> readers, long ttlMillis) {

  /**
   * @param self this member's id
   * @param leader the leader this member believes in, or null
   * @param voters voting members of the current configuration
   * @param learners non-voting members
   * @param bolt member id to Bolt address, null when unknown
   */
  public static RaftRoutingTable compute(
      String self,
      String leader,
      List<String> voters,
      List<String> learners,
      Function<String, String> bolt,
      long ttlMillis) {
    String leaderBolt = leader == null ? null : bolt.apply(leader);
    List<String> writers = leaderBolt == null ? List.of() : List.of(leaderBolt);
    Set<String> readers = new LinkedHashSet<>();
    for (String v : voters) {
      String b = bolt.apply(v);
      if (b != null && !v.equals(leader)) {
        readers.add(b);
      }
    }
    if (readers.isEmpty() && leaderBolt != null) {
      readers.add(leaderBolt);
    }
    Set<String> routers = new LinkedHashSet<>();
    addIfKnown(routers, bolt.apply(self));
    addIfKnown(routers, leaderBolt);
    voters.forEach(v -> addIfKnown(routers, bolt.apply(v)));
    learners.forEach(l -> addIfKnown(routers, bolt.apply(l)));
    return new RaftRoutingTable(List.copyOf(routers), writers, new ArrayList<>(readers), ttlMillis);
  }

  private static void addIfKnown(Set<String> into, String address) {
    if (address != null) {
      into.add(address);
    }
  }
}
