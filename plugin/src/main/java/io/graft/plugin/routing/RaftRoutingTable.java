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
 *       the next refresh; this one LAST when it can name no writer: a driver asks the routers of
 *       its table in their order, and the members that know a leader should come first (a member
 *       cut off from the majority would otherwise be asked first again and again).
 * </ul>
 *
 * <p>Members whose Bolt address is unknown are left out rather than guessed. Whether a table
 * without a writer is handed out at all is {@link GraftRoutingTableProvider}'s decision.
 *
 * @param self this member's own Bolt address, null when unknown (not sent to drivers)
 */
public record RaftRoutingTable(
    List<String> routers, List<String> writers, List<String> readers, long ttlMillis,
    String self) {

  public RaftRoutingTable(
      List<String> routers, List<String> writers, List<String> readers, long ttlMillis) {
    this(routers, writers, readers, ttlMillis, null);
  }

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
    String selfBolt = bolt.apply(self);
    Set<String> routers = new LinkedHashSet<>();
    if (!writers.isEmpty()) {
      addIfKnown(routers, selfBolt);
    }
    addIfKnown(routers, leaderBolt);
    voters.forEach(v -> addIfKnown(routers, bolt.apply(v)));
    learners.forEach(l -> addIfKnown(routers, bolt.apply(l)));
    if (writers.isEmpty() && selfBolt != null) {
      routers.remove(selfBolt);
      routers.add(selfBolt);
    }
    return new RaftRoutingTable(
        List.copyOf(routers), writers, new ArrayList<>(readers), ttlMillis, selfBolt);
  }

  private static void addIfKnown(Set<String> into, String address) {
    if (address != null) {
      into.add(address);
    }
  }
}
