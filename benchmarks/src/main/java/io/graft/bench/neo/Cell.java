package io.graft.bench.neo;

import java.util.Map;

/**
 * One measured cell: a system (single or cluster) in a pinning mode at a client count, with the
 * CPU time each process used per committed transaction over exactly the measurement window.
 *
 * @param pinned whether the processes were pinned ({@link Affinity})
 * @param cpuMillisPerTx per process label ("single", "leader", "follower-1", "client", ...)
 * @param warmup how this cell's own warm-up went
 * @param threadGroups per server process label: CPU ms per transaction by thread group
 * @param switchesPerTx per server process label: switch-ins (wake-ups) per transaction by thread
 *     group; empty when the kernel does not expose schedstat
 * @param migrationsPerTx per server process label: moves to another CPU per transaction by
 *     thread group; empty when the kernel does not expose them
 * @param preemptionsPerTx per server process label: involuntary switches per transaction by
 *     thread group; empty when the kernel does not expose them
 */
record Cell(String system, boolean pinned, NeoLoad.Result result,
    Map<String, Double> cpuMillisPerTx, NeoLoad.Warmup warmup,
    Map<String, Map<String, Double>> threadGroups,
    Map<String, Map<String, Double>> switchesPerTx,
    Map<String, Map<String, Double>> migrationsPerTx,
    Map<String, Map<String, Double>> preemptionsPerTx) {

  int clients() {
    return result.clients();
  }

  /** Mean CPU ms per transaction of the processes whose label starts with {@code prefix}. */
  double cpu(String prefix) {
    return cpuMillisPerTx.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
        .mapToDouble(Map.Entry::getValue).average().orElse(Double.NaN);
  }
}
