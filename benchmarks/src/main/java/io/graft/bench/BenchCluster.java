package io.graft.bench;

import java.util.concurrent.CompletableFuture;

/** One 3-member Raft cluster under test: proposals go to its leader. */
interface BenchCluster extends AutoCloseable {

  String name();

  /** Replicates {@code payload}; completes once committed and applied on the leader. */
  CompletableFuture<?> submit(byte[] payload);

  /** A line describing how the cluster is configured (durability, ports, dirs). */
  String describe();

  /** Log fsyncs so far, summed over the members (for entries per fsync); -1 if unknown. */
  default long fsyncs() {
    return -1;
  }

  /** Log entries written so far, summed over the members; -1 if unknown. */
  default long entriesPersisted() {
    return -1;
  }

  /** Extra detail for the progress line after a scenario (e.g. per-stage latency), or "". */
  default String detail() {
    return "";
  }

  @Override
  void close() throws Exception;
}
