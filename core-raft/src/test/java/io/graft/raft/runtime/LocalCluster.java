package io.graft.raft.runtime;

import static org.awaitility.Awaitility.await;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftStatus;
import io.graft.raft.protocol.RaftConfig;
import io.graft.raft.storage.LogStore;
import io.graft.raft.storage.MetaStore;
import io.graft.raft.storage.memory.InMemoryLogStore;
import io.graft.raft.storage.memory.InMemoryMetaStore;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.UnaryOperator;

/** N runners on a {@link LocalNetwork} with in-memory stores that survive a member restart. */
final class LocalCluster implements AutoCloseable {
  static final long TICK_MILLIS = 20;

  final LocalNetwork network = new LocalNetwork();
  final Set<MemberId> voters = new LinkedHashSet<>();
  final Map<MemberId, LogStore> logs = new ConcurrentSkipListMap<>();
  final Map<MemberId, MetaStore> metas = new ConcurrentSkipListMap<>();
  final Map<MemberId, RecordingStateMachine> machines = new ConcurrentSkipListMap<>();
  // Concurrent: tests read it from awaiting threads while a killer thread restarts members.
  final Map<MemberId, RaftNodeRunner> nodes = new ConcurrentSkipListMap<>();
  private final ConsensusMachine.Factory factory;
  private final long seed;

  LocalCluster(int size, ConsensusMachine.Factory factory, long seed) {
    this.factory = factory;
    this.seed = seed;
    for (int i = 1; i <= size; i++) {
      MemberId id = MemberId.of("m" + i);
      voters.add(id);
      logs.put(id, new InMemoryLogStore());
      metas.put(id, new InMemoryMetaStore());
      machines.put(id, new RecordingStateMachine());
    }
  }

  /** Stores for a member that is not an initial voter: started later, it joins (thesis §4.2.1). */
  void addSpare(MemberId id) {
    logs.put(id, new InMemoryLogStore());
    metas.put(id, new InMemoryMetaStore());
    machines.put(id, new RecordingStateMachine());
  }

  static RaftConfig config() {
    // 20 ms ticks: election timeout 300-600 ms, heartbeat 60 ms (robust on a loaded CI box).
    return new RaftConfig(15, 3, 256, 1L << 20, 32, 64L << 20, true, true);
  }

  LocalCluster start() {
    for (MemberId id : voters) {
      start(id, b -> b);
    }
    return this;
  }

  RaftNodeRunner start(MemberId id, UnaryOperator<RaftNodeBuilder> customize) {
    RaftNodeBuilder b =
        RaftNodeRunner.builder()
            .self(id)
            .initialVoters(voters)
            .config(config())
            .tickMillis(TICK_MILLIS)
            .logStore(logs.get(id))
            .metaStore(metas.get(id))
            .transport(network.transport(id))
            .stateMachine(machines.get(id))
            .randomSeed(seed * 31 + id.hashCode())
            .machineFactory(factory);
    RaftNodeRunner node = customize.apply(b).build().start();
    nodes.put(id, node);
    return node;
  }

  RaftNodeRunner awaitLeader() {
    return await().atMost(Duration.ofSeconds(20)).until(this::leaderOrNull, n -> n != null);
  }

  RaftNodeRunner leaderOrNull() {
    RaftNodeRunner leader = null;
    for (RaftNodeRunner n : nodes.values()) {
      RaftStatus s = n.status();
      if (s.isLeader() && (leader == null || s.term() > leader.status().term())) {
        leader = n;
      }
    }
    return leader;
  }

  void awaitApplied(long index) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> nodes.values().stream().allMatch(n -> n.status().appliedIndex() >= index));
  }

  @Override
  public void close() {
    for (RaftNodeRunner n : nodes.values()) {
      n.close();
    }
  }
}
