package io.graft.bench;

import io.graft.cluster.Waits;
import io.graft.raft.api.CommittedEntry;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.NotLeaderException;
import io.graft.raft.api.StateMachine;
import io.graft.raft.protocol.RaftConfig;
import io.graft.raft.runtime.RaftNodeRunner;
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

/**
 * graft on loopback: 3 {@link RaftNodeRunner}s, each with its own segmented log (fsync per Ready)
 * and meta store in its own directory, talking over the Netty transport; a counting state machine.
 */
final class GraftCluster implements BenchCluster {
  static final long TICK_MILLIS = 100;
  private final List<RaftNodeRunner> nodes = new ArrayList<>();
  private final Path dir;
  private volatile RaftNodeRunner leader;

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

  GraftCluster(Path dir) throws Exception {
    this.dir = dir;
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
              .config(RaftConfig.defaults())
              .tickMillis(TICK_MILLIS)
              .dataDirectory(dir.resolve(id.value().replace(':', '_')))
              .nettyTransport(addresses.get(id), "bench")
              .peers(peers)
              .stateMachine(new CountingStateMachine())
              .randomSeed(seed++)
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
    return "graft";
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
    return "graft RaftNodeRunner, Netty transport, segmented log with one fsync per Ready "
        + "(group commit), 3 members on 127.0.0.1, tick "
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
