package io.graft.raft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.graft.raft.api.CommitResult;
import io.graft.raft.api.CommittedEntry;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.StateMachine;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Group commit happens end to end: 32 proposers write concurrently to a 3-member cluster and the
 * state machines see {@code applyBatch} calls with more than one entry. Deterministic, not timed:
 * each member's first application batch is held until that member's commit index covers the whole
 * first round of 32 proposals, so the rest of the round is queued on the apply thread when it is
 * released and must be drained together (however the owner thread split it into Ready batches,
 * at least 30 of the 31 remaining entries are queued).
 */
class ApplyBatchingRuntimeTest {
  private static final long SEED = Long.getLong("runtime.seed", 7L);
  private static final int PROPOSERS = 32;
  private static final int ROUNDS = 10;
  private LocalCluster cluster;

  @AfterEach
  void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Records every applyBatch size; holds the first one until its node committed {@code target}. */
  private static final class BatchSizes implements StateMachine {
    final AtomicReference<RaftNodeRunner> node = new AtomicReference<>();
    final List<Integer> sizes = new CopyOnWriteArrayList<>();
    final List<Long> order = new CopyOnWriteArrayList<>();
    volatile long target;
    volatile long lastApplied;

    @Override
    public Object apply(CommittedEntry entry) {
      return applyBatch(List.of(entry)).get(0);
    }

    @Override
    public List<Object> applyBatch(List<CommittedEntry> entries) {
      long until = target;
      if (sizes.isEmpty() && until > 0) {
        await().atMost(Duration.ofSeconds(30))
            .until(() -> node.get() != null && node.get().status().commitIndex() >= until);
      }
      sizes.add(entries.size());
      List<Object> results = new ArrayList<>();
      for (CommittedEntry e : entries) {
        order.add(e.index());
        results.add("ok-" + e.index());
        lastApplied = e.index();
      }
      return results;
    }

    @Override
    public void onInternalEntry(long index, long term) {
      lastApplied = index;
    }

    @Override
    public long lastAppliedIndex() {
      return lastApplied;
    }
  }

  @Test
  void concurrentProposersMakeTheStateMachineSeeBatchesLargerThanOne() throws Exception {
    // Batch sizes and one log order are observed within one leader's term: a re-election under
    // load (proposals dropped) voids the attempt (Reelections).
    System.out.println("apply batching seed " + SEED + " (replay with -Druntime.seed=" + SEED + ")");
    Reelections.inOneTerm("apply batching under one leader", term -> {
      if (cluster != null) {
        cluster.close(); // a void attempt's cluster
      }
      cluster = new LocalCluster(3, ConsensusMachine.RAFT, SEED);
      Map<MemberId, BatchSizes> machines = new TreeMap<>();
      for (MemberId id : cluster.voters) {
        BatchSizes sm = new BatchSizes();
        machines.put(id, sm);
        sm.node.set(cluster.start(id, b -> b.stateMachine(sm)));
      }
      RaftNodeRunner leader = term.watch(cluster.awaitLeader());
      // The leader's no-op (thesis §6.4) is committed once the leader reports it applied.
      await().atMost(Duration.ofSeconds(20))
          .until(() -> leader.status().appliedIndex() >= leader.status().lastLogIndex());
      long target = leader.status().lastLogIndex() + PROPOSERS;
      machines.values().forEach(sm -> sm.target = target);

      ExecutorService pool = Executors.newFixedThreadPool(PROPOSERS);
      List<Future<List<CommitResult>>> results = new ArrayList<>();
      try {
        for (int t = 0; t < PROPOSERS; t++) {
          int thread = t;
          results.add(pool.submit(() -> proposeInSequence(leader, thread)));
        }
        long last = 0;
        for (Future<List<CommitResult>> f : results) {
          for (CommitResult r : f.get(60, TimeUnit.SECONDS)) {
            assertThat(r.result()).isEqualTo("ok-" + r.index());
            last = Math.max(last, r.index());
          }
        }
        cluster.awaitApplied(last);
      } finally {
        pool.shutdownNow();
      }
      List<Long> reference = machines.get(leader.self()).order;
      assertThat(reference).hasSize(PROPOSERS * ROUNDS);
      for (Map.Entry<MemberId, BatchSizes> e : machines.entrySet()) {
        BatchSizes sm = e.getValue();
        System.out.println(e.getKey() + " applyBatch sizes: " + sm.sizes);
        assertThat(sm.order).as("log order on %s", e.getKey()).isEqualTo(reference);
        assertThat(sm.sizes.stream().mapToInt(Integer::intValue).sum())
            .isEqualTo(PROPOSERS * ROUNDS);
        assertThat(sm.sizes.stream().mapToInt(Integer::intValue).max().orElse(0))
            .as("largest applyBatch on %s", e.getKey())
            .isGreaterThan(1);
        assertThat(sm.sizes.size()).isLessThan(PROPOSERS * ROUNDS);
      }
      return null;
    });
  }

  /** One client: each write waits for the previous one (like a Bolt session committing). */
  private static List<CommitResult> proposeInSequence(RaftNodeRunner leader, int thread)
      throws Exception {
    List<CommitResult> out = new ArrayList<>();
    for (int i = 0; i < ROUNDS; i++) {
      byte[] payload = ("t" + thread + "-" + i).getBytes(StandardCharsets.UTF_8);
      CompletableFuture<CommitResult> f = leader.propose(payload);
      out.add(f.get(60, TimeUnit.SECONDS));
    }
    return out;
  }
}
