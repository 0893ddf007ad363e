package io.graft.bench;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/** graft: RaftNodeRunner + segmented log + Netty transport. Wired once those modules land. */
final class GraftCluster implements BenchCluster {
  GraftCluster(Path dir) {
    throw new UnsupportedOperationException(
        "graft side needs SegmentedLogStore, FileMetaStore, NettyTransport and RaftMachine merged");
  }

  @Override
  public String name() {
    return "graft";
  }

  @Override
  public CompletableFuture<?> submit(byte[] payload) {
    throw new UnsupportedOperationException();
  }

  @Override
  public String describe() {
    return "graft";
  }

  @Override
  public void close() {}
}
