package io.graft.it.workload;

import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/** Steps every workload ends with: heal the faults, then compare the members' digests. */
final class Runs {

  private Runs() {
  }

  static void heal(Cluster cluster, Problems problems) {
    problems.endRun();
    try {
      cluster.nemesis().heal();
    } catch (Exception e) {
      problems.add("nemesis could not heal the cluster: " + e);
    }
  }

  /** Injects a fault; a nemesis that throws is a broken fixture, reported, not ignored. */
  static String strike(Cluster cluster, Random rnd, Problems problems) {
    try {
      return cluster.nemesis().strike(rnd);
    } catch (Exception e) {
      problems.add("nemesis failed to strike: " + e);
      return "failed: " + e;
    }
  }

  /** Digests of every member; more than one distinct value is a divergence. */
  static Map<String, String> compareDigests(Cluster cluster, Problems problems) {
    Map<String, String> digests = cluster.digests();
    Set<String> distinct = new HashSet<>(digests.values());
    problems.check(digests.isEmpty(), "no member digest could be taken");
    problems.check(distinct.size() > 1, "members diverge: " + digests);
    for (Map.Entry<String, String> e : digests.entrySet()) {
      problems.check(e.getValue().startsWith("unavailable"),
          "digest of " + e.getKey() + " " + e.getValue());
    }
    return digests;
  }
}
