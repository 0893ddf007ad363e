package io.graft.it.faults;

import io.graft.cluster.LocalCluster;
import io.graft.it.workload.Cluster;
import io.graft.it.workload.Nemesis;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The workloads' view of a real graft cluster when writes must follow graft's OWN routing: the
 * pinned readers and the final checks use {@code members} over direct Bolt (never cut), writes go
 * through {@code neo4j://} to the first member's ADVERTISED Bolt address (the Bolt fault proxy's
 * frontend when the cluster has one), after which the driver follows the routing tables graft
 * hands out. {@link #digests} is {@code raft.digest()} on {@code members} once all report one
 * applied index and one digest (bounded by {@code converge}).
 *
 * @param members the members whose data the run checks at the end (e.g. the final
 *     configuration after a membership change), in order; the first is the driver's entry point
 */
record RoutedCluster(LocalCluster cluster, List<Integer> members, Nemesis nemesis,
    Duration converge) implements Cluster {

  RoutedCluster {
    members = List.copyOf(members);
  }

  @Override
  public List<URI> memberBoltUris() {
    List<URI> uris = new ArrayList<>();
    members.forEach(m -> uris.add(URI.create(cluster.boltUri(m))));
    return uris;
  }

  @Override
  public URI routingUri() {
    return URI.create("neo4j://" + cluster.layout().member(members.get(0))
        .boltAdvertisedAddress());
  }

  @Override
  public Map<String, String> digests() {
    Map<String, String> out = new LinkedHashMap<>();
    FaultClusters.sameDigests(members, m -> cluster.probe().session(m), converge)
        .forEach((m, d) -> out.put("member-" + m, d));
    return out;
  }

  @Override
  public String toString() {
    return "graft cluster (members " + members + " checked), neo4j:// via " + routingUri();
  }
}
