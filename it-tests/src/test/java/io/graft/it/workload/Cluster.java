package io.graft.it.workload;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * What a Tier 5 workload needs from a cluster, and nothing more, so the same workloads run against
 * one stock server today and against graft's real server processes (the {@code local-cluster}
 * module) later: the Bolt address of every member, a routing address, a fault injector and a way
 * to fingerprint each member's store.
 */
public interface Cluster {

  /** Direct {@code bolt://} address of each member, in a stable order. */
  List<URI> memberBoltUris();

  /** A {@code neo4j://} address; the driver routes writes to the leader through it. */
  URI routingUri();

  /** Faults to inject while the workload runs; {@link Nemesis#NONE} when there are none. */
  default Nemesis nemesis() {
    return Nemesis.NONE;
  }

  /**
   * A digest of each member's store, keyed by member (its Bolt URI by default). After a run all
   * values must be equal. The default computes a content digest through Cypher on every member;
   * a graft cluster overrides it with its {@code raft.digest()}-style procedure.
   */
  default Map<String, String> digests() {
    return StoreDigest.cypherDigests(memberBoltUris());
  }
}
