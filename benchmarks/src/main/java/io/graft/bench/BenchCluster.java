package io.graft.bench;

import java.util.concurrent.CompletableFuture;

/** One 3-member Raft cluster under test: proposals go to its leader. */
interface BenchCluster extends AutoCloseable {

  String name();

  /** Replicates {@code payload}; completes once committed and applied on the leader. */
  CompletableFuture<?> submit(byte[] payload);

  /** A line describing how the cluster is configured (durability, ports, dirs). */
  String describe();

  @Override
  void close() throws Exception;
}
