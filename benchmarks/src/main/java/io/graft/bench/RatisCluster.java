package io.graft.bench;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientAsynchronousProtocol;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * Apache Ratis 3.2.1 on loopback, given its best configuration for throughput: 3 servers on the
 * gRPC transport (pipelined AppendEntries, up to 64 outstanding per follower), appender buffer 4
 * MB / 512 entries, write buffer 8 MB, 64 MB segments, the log's fsync ON and synchronous (no
 * unsafe or async flush, so an acknowledged entry is durable on a majority, as on graft's side), a
 * counting state machine. Proposals are submitted in-process straight to the leader's division
 * ({@code submitClientRequestAsync}), as graft's {@code propose} is: no client RPC hop.
 */
final class RatisCluster implements BenchCluster {
  private final List<RaftServer> servers = new ArrayList<>();
  private final RaftGroup group;
  private final Path dir;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  private volatile RaftClientAsynchronousProtocol leader;
  private volatile RaftPeerId leaderId;

  /** A trivial counting state machine, as on the graft side. */
  static final class CountingStateMachine extends BaseStateMachine {
    private final AtomicLong applied = new AtomicLong();

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
      var entry = trx.getLogEntry();
      updateLastAppliedTermIndex(TermIndex.valueOf(entry.getTerm(), entry.getIndex()));
      applied.incrementAndGet();
      return CompletableFuture.completedFuture(Message.EMPTY);
    }
  }

  RatisCluster(Path dir) throws Exception {
    this.dir = dir;
    List<RaftPeer> peers = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      peers.add(
          RaftPeer.newBuilder()
              .setId(RaftPeerId.valueOf("r" + i))
              .setAddress("127.0.0.1:" + freePort())
              .build());
    }
    this.group = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()), peers);
    for (RaftPeer peer : peers) {
      RaftProperties props = properties();
      File storage = dir.resolve(peer.getId().toString()).toFile();
      RaftServerConfigKeys.setStorageDir(props, List.of(storage));
      GrpcConfigKeys.Server.setHost(props, "127.0.0.1");
      GrpcConfigKeys.Server.setPort(props, Integer.parseInt(peer.getAddress().split(":")[1]));
      RaftServer server =
          RaftServer.newBuilder()
              .setServerId(peer.getId())
              .setGroup(group)
              .setProperties(props)
              .setStateMachine(new CountingStateMachine())
              .build();
      server.start();
      servers.add(server);
    }
    // Ready = a leader exists and has committed an entry, as on the graft side (its no-op).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      findLeader();
      if (leader != null) {
        RaftClientReply reply = submitNow(new byte[0]).get(30, TimeUnit.SECONDS);
        if (reply.isSuccess()) {
          break;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("no Ratis leader committed an entry within 60 s");
      }
      Thread.sleep(50);
    }
  }

  /** The configuration the Ratis documentation and the issue recommend for throughput. */
  private static RaftProperties properties() {
    RaftProperties props = new RaftProperties();
    RaftConfigKeys.Rpc.setType(props, SupportedRpcType.GRPC);
    GrpcConfigKeys.Server.setLeaderOutstandingAppendsMax(props, 64);
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(props, SizeInBytes.valueOf("4MB"));
    RaftServerConfigKeys.Log.Appender.setBufferElementLimit(props, 512);
    RaftServerConfigKeys.Log.setWriteBufferSize(props, SizeInBytes.valueOf("8MB"));
    RaftServerConfigKeys.Log.setSegmentSizeMax(props, SizeInBytes.valueOf("64MB"));
    // Durability as on the graft side: every acknowledged entry is fsynced on a majority, and the
    // flush index moves only after the fsync returned.
    RaftServerConfigKeys.Log.setUnsafeFlushEnabled(props, false);
    RaftServerConfigKeys.Log.setAsyncFlushEnabled(props, false);
    // Same election timeout as graft's benchmark (1-2 s): the 150-300 ms Ratis default flaps on a
    // shared 2-core machine, which would measure elections, not replication.
    RaftServerConfigKeys.Rpc.setTimeoutMin(props, TimeDuration.valueOf(1, TimeUnit.SECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(props, TimeDuration.valueOf(2, TimeUnit.SECONDS));
    return props;
  }

  private void findLeader() throws IOException {
    for (RaftServer s : servers) {
      RaftServer.Division d = s.getDivision(group.getGroupId());
      if (d.getInfo().isLeader()) {
        leader = (RaftClientAsynchronousProtocol) d;
        leaderId = s.getId();
        return;
      }
    }
    leader = null;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  @Override
  public String name() {
    return "ratis";
  }

  @Override
  public CompletableFuture<?> submit(byte[] payload) {
    return submitNow(payload)
        .thenCompose(
            reply -> {
              if (reply.isSuccess()) {
                return CompletableFuture.completedFuture(reply);
              }
              if (reply.getNotLeaderException() != null) {
                try {
                  findLeader();
                } catch (IOException e) {
                  // keep the old one; the next call retries
                }
              }
              return CompletableFuture.failedFuture(
                  reply.getException() != null
                      ? reply.getException()
                      : new IOException("Ratis reply not successful: " + reply));
            });
  }

  private CompletableFuture<RaftClientReply> submitNow(byte[] payload) {
    RaftClientRequest request =
        RaftClientRequest.newBuilder()
            .setClientId(clientId)
            .setServerId(leaderId)
            .setGroupId(group.getGroupId())
            .setCallId(callIds.incrementAndGet())
            .setMessage(Message.valueOf(ByteString.copyFrom(payload)))
            .setType(RaftClientRequest.writeRequestType())
            .build();
    try {
      return leader.submitClientRequestAsync(request);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public long fsyncs() {
    return CountingRatisMetrics.counter("flushCount");
  }

  @Override
  public long entriesPersisted() {
    return CountingRatisMetrics.counter("appendEntryCount");
  }

  @Override
  public String describe() {
    return "Apache Ratis 3.2.1, gRPC, 3 servers on 127.0.0.1, proposals submitted in-process to"
        + " the leader division (submitClientRequestAsync), leader outstanding appends 64,"
        + " appender buffer 4 MB / 512 entries, write buffer 8 MB, segments 64 MB, log fsync on"
        + " (unsafe-flush=false, async-flush=false), election timeout 1-2 s, storage "
        + dir;
  }

  @Override
  public void close() throws Exception {
    for (RaftServer s : servers) {
      s.close();
    }
  }
}
