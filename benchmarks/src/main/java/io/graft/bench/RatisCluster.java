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
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.protocol.Message;
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
import org.apache.ratis.util.TimeDuration;

/**
 * Apache Ratis 3.2.1 on loopback: 3 servers with the Netty RPC, each its own storage directory, the
 * segmented log's fsync left ON (Ratis defaults: {@code
 * raft.server.log.unsafe-flush.enabled=false}, {@code raft.server.log.async-flush.enabled=false}),
 * and a state machine that only counts.
 */
final class RatisCluster implements BenchCluster {
  private final List<RaftServer> servers = new ArrayList<>();
  private final RaftClient client;
  private final RaftGroup group;
  private final List<RaftClient> threadClients = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final ThreadLocal<RaftClient> perThread =
      ThreadLocal.withInitial(
          () -> {
            RaftClient c =
                RaftClient.newBuilder()
                    .setProperties(baseProperties())
                    .setRaftGroup(group())
                    .build();
            threadClients.add(c);
            return c;
          });

  /**
   * One RaftClient per proposer thread (default): faster for Ratis than one shared ordered client.
   */
  private static final boolean CLIENT_PER_THREAD =
      Boolean.parseBoolean(System.getProperty("bench.ratis.clientPerThread", "true"));

  /** Use the blocking API instead of async (opt-in, -Dbench.ratis.blocking=true). */
  private static final boolean BLOCKING = Boolean.getBoolean("bench.ratis.blocking");

  private final Path dir;

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

  RatisCluster(Path dir) throws IOException {
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
      RaftProperties props = baseProperties();
      File storage = dir.resolve(peer.getId().toString()).toFile();
      RaftServerConfigKeys.setStorageDir(props, List.of(storage));
      NettyConfigKeys.Server.setPort(props, Integer.parseInt(peer.getAddress().split(":")[1]));
      NettyConfigKeys.Server.setHost(props, "127.0.0.1");
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
    this.client =
        RaftClient.newBuilder().setProperties(baseProperties()).setRaftGroup(group).build();
  }

  private RaftGroup group() {
    return group;
  }

  private static RaftProperties baseProperties() {
    RaftProperties props = new RaftProperties();
    RaftConfigKeys.Rpc.setType(props, SupportedRpcType.NETTY);
    // Durability as on the graft side: every acknowledged entry is fsynced on a majority.
    RaftServerConfigKeys.Log.setUnsafeFlushEnabled(props, false);
    RaftServerConfigKeys.Log.setAsyncFlushEnabled(props, false);
    // Same election timeout as graft's defaults (1-2 s): the 150-300 ms Ratis default flaps on a
    // shared 2-core machine, which would measure elections, not replication.
    RaftServerConfigKeys.Rpc.setTimeoutMin(props, TimeDuration.valueOf(1, TimeUnit.SECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(props, TimeDuration.valueOf(2, TimeUnit.SECONDS));
    return props;
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
    RaftClient c = CLIENT_PER_THREAD ? perThread.get() : client;
    Message m = Message.valueOf(ByteString.copyFrom(payload));
    if (BLOCKING) {
      try {
        return CompletableFuture.completedFuture(c.io().send(m));
      } catch (IOException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    return c.async().send(m);
  }

  @Override
  public String describe() {
    return "Apache Ratis 3.2.1, Netty RPC, 3 servers on 127.0.0.1, log fsync on "
        + "(unsafe-flush=false, async-flush=false), election timeout 1-2 s, "
        + (CLIENT_PER_THREAD ? "one client per proposer" : "one shared client")
        + (BLOCKING ? " (blocking API)" : " (async API)")
        + ", storage "
        + dir;
  }

  @Override
  public void close() throws Exception {
    client.close();
    for (RaftClient c : threadClients) {
      c.close();
    }
    for (RaftServer s : servers) {
      s.close();
    }
  }
}
