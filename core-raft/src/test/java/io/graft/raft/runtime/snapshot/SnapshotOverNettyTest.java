package io.graft.raft.runtime.snapshot;

import static io.graft.raft.runtime.snapshot.SnapshotStreamingTest.assertSameFiles;
import static io.graft.raft.runtime.snapshot.SnapshotStreamingTest.snapshotOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.message.InstallSnapshot;
import io.graft.raft.message.InstallSnapshotResponse;
import io.graft.cluster.tls.CertificateAuthority;
import io.graft.raft.transport.netty.NettyTransport;
import io.graft.raft.transport.netty.NettyTransportConfig;
import io.graft.raft.transport.netty.TestTls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Snapshot streaming over real sockets (Netty on loopback) with a real broken connection: the
 * follower's transport and snapshot service are shut down mid-transfer (every TCP connection
 * closes, chunks in flight are lost) and started again on the same port; the leader's resend timer
 * and reconnect bring the transfer back, the new receiver resumes from the bytes on its disk, and
 * the result is identical to the leader's snapshot. Run in plaintext and under mutual TLS (the
 * chunks travel inside the same TLS connections as every other Raft message).
 */
class SnapshotOverNettyTest {
  private static final MemberId LEADER = MemberId.of("leader");
  private static final MemberId FOLLOWER = MemberId.of("follower");
  private static final int CHUNK = 16 * 1024;

  @TempDir Path tmp;

  private static final CertificateAuthority CA = TestTls.ca("snapshot-ca");

  private static NettyTransport transport(MemberId self, int port, boolean tls) {
    NettyTransport transport = new NettyTransport(NettyTransportConfig
        .defaults("127.0.0.1:" + port, "snap-test", self).withReconnectBackoff(10, 100),
            RaftLogging.slf4j());
    transport.useTls(tls ? TestTls.tls(TestTls.member(CA, self.value()), CA.certificate())
        : null, TestTls.SETTING);
    return transport;
  }

  /** The follower side: its transport delivers chunks to a fresh snapshot service. */
  private static final class Follower implements AutoCloseable {
    final NettyTransport transport;
    final SnapshotService service;
    final CompletableFuture<LocalSnapshot> received = new CompletableFuture<>();
    final AtomicLong lowestOffset = new AtomicLong(Long.MAX_VALUE);

    /** Takes chunks below {@code breakAt} only (the link "dies" there). */
    Follower(Path dir, int port, long breakAt, boolean tls) {
      transport = transport(FOLLOWER, port, tls);
      service = new SnapshotService(FOLLOWER, new SnapshotStore(dir, RaftLogging.slf4j()),
          transport, CHUNK, 50,
          (s, from) -> received.complete(s), RaftLogging.slf4j());
      transport.start(m -> {
        InstallSnapshot chunk = (InstallSnapshot) m;
        lowestOffset.accumulateAndGet(chunk.offset(), Math::min);
        if (chunk.offset() < breakAt) {
          service.onChunk(chunk);
        }
      });
    }

    @Override
    public void close() {
      service.close();
      transport.close();
    }
  }

  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {false, true})
  void brokenConnectionMidTransferResumesAndEndsIdentical(boolean tls) throws Exception {
    SnapshotStore leaderStore = new SnapshotStore(tmp.resolve("leader"), RaftLogging.slf4j());
    LocalSnapshot source = snapshotOf(tmp.resolve("sm"), 25, leaderStore);
    long total = new SnapshotStream(source).totalBytes();
    NettyTransport leaderTransport = transport(LEADER, 0, tls);
    SnapshotService leader = new SnapshotService(LEADER, leaderStore, leaderTransport, CHUNK, 50,
        (s, from) -> { }, RaftLogging.slf4j());
    leaderTransport.start(m -> leader.onResponse((InstallSnapshotResponse) m));
    long breakAt = 5L * CHUNK;
    Follower first = new Follower(tmp.resolve("follower"), 0, breakAt, tls);
    int port = first.transport.localAddress().getPort();
    Follower second = null;
    try {
      leaderTransport.setPeers(Map.of(FOLLOWER, "127.0.0.1:" + port));
      first.transport.setPeers(Map.of(LEADER, "127.0.0.1:"
          + leaderTransport.localAddress().getPort()));
      leader.send(FOLLOWER, 2, 25, 1);
      await().atMost(Duration.ofSeconds(20)).until(
          () -> leader.progress().get(5, TimeUnit.SECONDS).get(0).bytesAcked() == breakAt);
      first.close(); // the connection really breaks; chunks in flight are lost

      second = new Follower(tmp.resolve("follower"), port, Long.MAX_VALUE, tls);
      second.transport.setPeers(Map.of(LEADER, "127.0.0.1:"
          + leaderTransport.localAddress().getPort()));
      LocalSnapshot arrived = second.received.get(30, TimeUnit.SECONDS);
      assertSameFiles(source, arrived);
      assertThat(second.lowestOffset.get())
          .as("resumed: the new connection carried only bytes after the break, of %d", total)
          .isEqualTo(breakAt);
      assertThat(first.received).isNotDone();
    } finally {
      if (second != null) {
        second.close();
      }
      leader.close();
      leaderTransport.close();
    }
  }
}
