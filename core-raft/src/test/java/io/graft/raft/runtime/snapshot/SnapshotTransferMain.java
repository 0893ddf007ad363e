package io.graft.raft.runtime.snapshot;

import io.graft.raft.api.CommittedEntry;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.message.InstallSnapshot;
import io.graft.raft.message.InstallSnapshotResponse;
import io.graft.raft.transport.netty.NettyTransport;
import io.graft.raft.transport.netty.NettyTransportConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Measures snapshot streaming over Netty on loopback: a snapshot of {@code args[0]} MiB streamed
 * in chunks of {@code args[1]} KiB from one SnapshotService to another (verified, published).
 * Not a test; run with the test classpath, e.g. {@code java -cp ... SnapshotTransferMain 256 1024}.
 */
public final class SnapshotTransferMain {
  private SnapshotTransferMain() {}

  public static void main(String[] args) throws Exception {
    int mib = args.length > 0 ? Integer.parseInt(args[0]) : 128;
    int chunkKib = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
    Path dir = Files.createTempDirectory("graft-snap-bench");
    MemberId a = MemberId.of("a");
    MemberId b = MemberId.of("b");
    KvFileStateMachine sm = new KvFileStateMachine(dir.resolve("sm"), mib << 20);
    sm.apply(new CommittedEntry(1, 1, "k=v".getBytes()));
    SnapshotStore source = new SnapshotStore(dir.resolve("a"), RaftLogging.slf4j());
    long t0 = System.nanoTime();
    LocalSnapshot snap = source.take(sm, 1, 1, new byte[0]);
    long takeMs = (System.nanoTime() - t0) / 1_000_000;
    NettyTransport ta = new NettyTransport(NettyTransportConfig.defaults("127.0.0.1:0", "b", a),
        RaftLogging.slf4j());
    NettyTransport tb = new NettyTransport(NettyTransportConfig.defaults("127.0.0.1:0", "b", b),
        RaftLogging.slf4j());
    CompletableFuture<LocalSnapshot> done = new CompletableFuture<>();
    SnapshotService sa = new SnapshotService(a, source, ta, chunkKib << 10, 1000, (s, f) -> { },
        RaftLogging.slf4j());
    SnapshotService sb = new SnapshotService(b, new SnapshotStore(dir.resolve("b"),
        RaftLogging.slf4j()), tb,
        chunkKib << 10, 1000, (s, f) -> done.complete(s), RaftLogging.slf4j());
    ta.start(m -> sa.onResponse((InstallSnapshotResponse) m));
    tb.start(m -> sb.onChunk((InstallSnapshot) m));
    ta.setPeers(Map.of(b, "127.0.0.1:" + tb.localAddress().getPort()));
    tb.setPeers(Map.of(a, "127.0.0.1:" + ta.localAddress().getPort()));
    long t1 = System.nanoTime();
    sa.send(b, 1, 1, 1);
    LocalSnapshot got = done.get(10, TimeUnit.MINUTES);
    double seconds = (System.nanoTime() - t1) / 1e9;
    long bytes = got.manifest().fileBytes();
    System.out.printf("snapshot take %d MiB: %d ms; transfer %d chunks of %d KiB: %.2f s,"
        + " %.1f MiB/s (CRC per chunk + per-file verification + fsync + rename)%n",
        mib, takeMs, (bytes + (chunkKib << 10) - 1) / (chunkKib << 10), chunkKib, seconds,
        bytes / seconds / (1 << 20));
    sa.close();
    sb.close();
    ta.close();
    tb.close();
    SnapshotFiles.deleteTree(dir);
  }
}
