package io.graft.bench;

import io.graft.cluster.tls.CertificateAuthority;
import io.graft.cluster.Waits;
import io.graft.raft.api.CommittedEntry;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.NotLeaderException;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.api.StateMachine;
import io.graft.raft.api.metrics.LeaderStage;
import io.graft.raft.api.metrics.RaftMetrics;
import io.graft.raft.api.TransportTls;
import io.graft.raft.protocol.RaftConfig;
import io.graft.raft.runtime.RaftNodeRunner;
import io.graft.raft.transport.netty.NettyTransport;
import io.graft.raft.transport.netty.NettyTransportConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLException;

/**
 * graft on loopback: 3 {@link RaftNodeRunner}s, each with its own segmented log (group commit) and
 * meta store in its own directory, talking over the Netty transport; a counting state machine.
 * Variants for same-run comparisons: {@code graft} (defaults); suffixes {@code -ownersync} (log
 * fsync on the owner thread, {@code RaftNodeBuilder.logSyncThread(false)}) and {@code
 * -noprealloc} (growing segments, {@code preallocateLogSegments(false)}).
 */
final class GraftCluster implements BenchCluster {
  static final long TICK_MILLIS = 100;
  private final List<RaftNodeRunner> nodes = new ArrayList<>();
  private final List<NettyTransport> transports = new ArrayList<>();
  private long messagesBefore;
  private long proposalsBefore;
  private final Path dir;
  private final String name;
  private final boolean logSyncThread;
  private final boolean preallocate;
  private final boolean linger;
  private final boolean inlineWhenIdle;
  private final boolean tls;
  private volatile RaftNodeRunner leader;
  private RaftMetrics stagesBefore;

  /** Counts applied entries; remembers its applied index only in memory (fresh dirs each run). */
  static final class CountingStateMachine implements StateMachine {
    private volatile long applied;

    @Override
    public Object apply(CommittedEntry entry) {
      applied = entry.index();
      return null;
    }

    @Override
    public void onInternalEntry(long index, long term) {
      applied = index;
    }

    @Override
    public long lastAppliedIndex() {
      return applied;
    }
  }

  /**
   * @param name "graft" plus variant suffixes: -ownersync, -noprealloc, -nolinger, -alwaysthread,
   *     -tls (every Raft connection under mutual TLS: JDK provider, TLS 1.3/1.2, certificates of a
   *     throwaway CA, as the plugin runs with dbms.ssl.policy.cluster)
   */
  GraftCluster(Path dir, String name) throws Exception {
    this.dir = dir;
    this.name = name;
    logSyncThread = !name.contains("-ownersync");
    preallocate = !name.contains("-noprealloc");
    linger = !name.contains("-nolinger");
    inlineWhenIdle = !name.contains("-alwaysthread");
    tls = name.contains("-tls");
    if (!name.matches("graft(-ownersync|-noprealloc|-nolinger|-alwaysthread|-tls)*")) {
      throw new IllegalArgumentException("unknown graft variant " + name);
    }
    CertificateAuthority ca = tls ? CertificateAuthority.create("bench-ca", Duration.ofDays(1))
        : null;
    Map<MemberId, String> addresses = new HashMap<>();
    Set<MemberId> voters = new LinkedHashSet<>();
    for (int i = 0; i < 3; i++) {
      String address = "127.0.0.1:" + RatisCluster.freePort();
      MemberId id = MemberId.of(address);
      voters.add(id);
      addresses.put(id, address);
    }
    long seed = 1;
    for (MemberId id : voters) {
      Map<MemberId, String> peers = new HashMap<>(addresses);
      peers.remove(id);
      nodes.add(
          RaftNodeRunner.builder()
              .self(id)
              .initialVoters(voters)
              .config(linger ? RaftConfig.defaults()
                  : RaftConfig.defaults().withAppendLingerBytes(0))
              .tickMillis(TICK_MILLIS)
              .dataDirectory(dir.resolve(id.value().replace(':', '_')))
              .transport(transport(id, addresses.get(id), ca))
              .peers(peers)
              .stateMachine(new CountingStateMachine())
              .randomSeed(seed++)
              .logSyncThread(logSyncThread)
              .logSyncInlineWhenIdle(inlineWhenIdle)
              .preallocateLogSegments(preallocate)
              .build()
              .start());
    }
    leader = awaitLeader(Duration.ofSeconds(30));
  }

  private RaftNodeRunner awaitLeader(Duration timeout) {
    RaftNodeRunner found = Waits.until("a graft leader", timeout, Duration.ofMillis(1),
        () -> nodes.stream().filter(n -> n.status().isLeader()).findFirst(),
        java.util.Optional::isPresent).orElseThrow();
    // A leader is usable once its no-op committed (§3.6.2/§6.4).
    found.propose(new byte[0]).join();
    return found;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long fsyncs() {
    long n = 0;
    for (RaftNodeRunner node : nodes) {
      n += node.metrics().fsyncs();
    }
    return n;
  }

  @Override
  public long entriesPersisted() {
    long n = 0;
    for (RaftNodeRunner node : nodes) {
      n += node.metrics().entriesPersisted();
    }
    return n;
  }

  /** The Netty transport the builder's nettyTransport() makes, plus TLS when {@code ca}. */
  private NettyTransport transport(MemberId id, String address, CertificateAuthority ca)
      throws SSLException {
    NettyTransport transport =
        new NettyTransport(NettyTransportConfig.defaults(address, "bench", id),
            RaftLogging.slf4j());
    if (ca != null) {
      CertificateAuthority.Issued own = ca.issue(id.value(), List.of("127.0.0.1"),
          Duration.ofDays(1));
      TransportTls contexts = TransportTls.of(
          SslContextBuilder.forServer(own.privateKey(), own.certificate())
              .sslProvider(SslProvider.JDK).clientAuth(ClientAuth.REQUIRE)
              .trustManager(ca.certificate()).build(),
          SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
              .keyManager(own.privateKey(), own.certificate()).trustManager(ca.certificate())
              .build(),
          true, "bench mutual TLS");
      transport.useTls(contexts, "bench TLS");
    }
    transports.add(transport);
    return transport;
  }

  /**
   * Raft messages per proposal and the leader's per-stage latency, both since the previous call
   * (ms from propose).
   */
  @Override
  public String detail() {
    RaftMetrics now = leader.metrics();
    long messages = 0;
    for (NettyTransport t : transports) {
      messages += t.stats().messagesSent();
    }
    long proposals = now.proposals();
    StringBuilder sb = new StringBuilder(String.format(java.util.Locale.ROOT,
        "%.2f messages/proposal; ", (double) (messages - messagesBefore)
            / Math.max(1, proposals - proposalsBefore)));
    messagesBefore = messages;
    proposalsBefore = proposals;
    sb.append("leader stage p50/p99 ms:");
    for (LeaderStage s : LeaderStage.values()) {
      var h = stagesBefore == null ? now.stage(s) : now.stage(s).minus(stagesBefore.stage(s));
      sb.append(String.format(java.util.Locale.ROOT, " %s %.2f/%.2f", s.metricName(),
          h.p50Seconds() * 1e3, h.p99Seconds() * 1e3));
    }
    stagesBefore = now;
    return sb.toString();
  }

  @Override
  public CompletableFuture<?> submit(byte[] payload) {
    RaftNodeRunner l = leader;
    return l.propose(payload)
        .exceptionallyCompose(
            e -> {
              Throwable cause = e instanceof CompletionException ? e.getCause() : e;
              if (cause instanceof NotLeaderException notLeader) {
                // Follow the hint; without one, take whoever reports leadership now.
                for (RaftNodeRunner n : nodes) {
                  if (notLeader.leaderHint().map(n.self()::equals).orElse(n.status().isLeader())) {
                    leader = n;
                  }
                }
              }
              return CompletableFuture.failedFuture(cause);
            });
  }

  @Override
  public String describe() {
    return name
        + ": graft RaftNodeRunner, Netty transport, segmented log, group commit, fsync on "
        + (logSyncThread
            ? "its own thread" + (inlineWhenIdle ? " (on the owner when idle)" : "")
            : "the owner thread")
        + (preallocate ? ", preallocated segments" : ", growing segments")
        + (linger ? ", appends linger (64 KiB)" : ", no append linger")
        + (tls ? ", mutual TLS (JDK provider, TLS 1.3, EC P-256 certificates)" : "")
        + ", proposals in-process on the leader, 3 members on 127.0.0.1, tick "
        + TICK_MILLIS
        + " ms, election timeout 1-2 s, storage "
        + dir;
  }

  @Override
  public void close() {
    for (RaftNodeRunner n : nodes) {
      n.close();
    }
  }
}
