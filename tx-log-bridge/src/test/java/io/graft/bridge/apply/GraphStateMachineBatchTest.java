package io.graft.bridge.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.bridge.capture.ProposalWaiters;
import io.graft.bridge.capture.StaleLeaseException;
import io.graft.bridge.capture.WriteGate;
import io.graft.bridge.codec.EntryCodec;
import io.graft.bridge.model.LeaseEntry;
import io.graft.bridge.model.NoOpEntry;
import io.graft.bridge.model.ReplicatedEntry;
import io.graft.bridge.model.TxEntry;
import io.graft.raft.api.CommittedEntry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit in the state machine (fake applier, no Neo4j): a run of accepted transactions goes
 * to the applier as ONE chain with each entry's own Raft index; a stale-lease transaction is
 * rejected in log order and never joins a chain; a lease entry splits the chain and fences what
 * follows it; waiters complete only after their chain; a chain failure panics and leaves the
 * applied index at the last durable entry; replays are skipped.
 */
class GraphStateMachineBatchTest {
  private static final String ME = "a:1";
  private static final String OTHER = "b:1";

  @TempDir Path dir;
  /** Each chain the applier received, as its Raft indexes. */
  private final List<List<Long>> chains = new ArrayList<>();
  private final List<String> violations = new ArrayList<>();
  private final List<Throwable> panics = new ArrayList<>();
  private final AtomicLong lastTx = new AtomicLong(10);
  private final AtomicLong consensusIndex = new AtomicLong(0);
  private final WriteGate gate = new WriteGate();
  private final ProposalWaiters waiters = new ProposalWaiters();
  private final Map<Long, CompletableFuture<Long>> mine = new java.util.HashMap<>();
  private RuntimeException chainFailure;
  private GraphStateMachine machine;
  private DatabaseSlot slot;

  @BeforeEach
  void setUp() throws IOException {
    machine = newMachine();
    slot.databaseAvailable(true);
  }

  private GraphStateMachine newMachine() throws IOException {
    EntryApplier applier = new EntryApplier() {
      @Override
      public long apply(TxEntry entry, long raftIndex) {
        throw new AssertionError("a batch must go through applyChain");
      }

      @Override
      public long[] applyChain(List<TxEntry> entries, long[] raftIndexes) {
        for (TxEntry tx : entries) {
          CompletableFuture<Long> f = mine.get(tx.proposalId());
          if (f != null && f.isDone()) {
            violations.add("waiter " + tx.proposalId() + " completed before its chain");
          }
        }
        if (chainFailure != null) {
          throw chainFailure;
        }
        List<Long> indexes = new ArrayList<>();
        long[] txIds = new long[entries.size()];
        for (int i = 0; i < raftIndexes.length; i++) {
          indexes.add(raftIndexes[i]);
          txIds[i] = lastTx.incrementAndGet();
          consensusIndex.set(raftIndexes[i]);
        }
        chains.add(indexes);
        return txIds;
      }
    };
    slot = new DatabaseSlot(
        new DatabaseHandle(applier, on -> {}, lastTx::get, consensusIndex::get, panics::add));
    return new GraphStateMachine(
        ME, new LeaseFencing(ME, LeaseState.open(dir), gate), slot, waiters, null);
  }

  private static CommittedEntry at(long index, ReplicatedEntry e) throws IOException {
    return new CommittedEntry(index, 1, EntryCodec.encode(e));
  }

  private TxEntry myTx(int lease) {
    CompletableFuture<Long> f = new CompletableFuture<>();
    long id = waiters.register(f);
    mine.put(id, f);
    return tx(ME, id, lease, (byte) 1);
  }

  private static TxEntry tx(String origin, long proposalId, int lease, byte kernelVersion) {
    return new TxEntry(origin, proposalId, lease, kernelVersion, 0, 0, 0, null, 0, new byte[0]);
  }

  @Test
  void acceptedTransactionsGoAsOneChainAndEachWaiterGetsItsOwnTxId() throws Exception {
    machine.apply(at(1, new LeaseEntry(1, ME)));
    TxEntry a = myTx(1);
    TxEntry b = myTx(1);
    List<Object> results = machine.applyBatch(List.of(
        at(2, a), at(3, tx(OTHER, 7, 1, (byte) 1)), at(4, new NoOpEntry()), at(5, b)));
    assertThat(chains).containsExactly(List.of(2L, 3L, 5L));
    assertThat(results).containsExactly(11L, 12L, null, 13L);
    assertThat(mine.get(a.proposalId()).get()).isEqualTo(11L);
    assertThat(mine.get(b.proposalId()).get()).isEqualTo(13L);
    assertThat(machine.lastAppliedIndex()).isEqualTo(5);
    assertThat(violations).isEmpty();
  }

  @Test
  void aStaleLeaseTransactionInTheRunIsRejectedAndLeftOutOfTheChain() throws Exception {
    machine.apply(at(1, new LeaseEntry(1, ME)));
    TxEntry stale = myTx(0);
    List<Object> results = machine.applyBatch(List.of(
        at(2, tx(OTHER, 1, 1, (byte) 1)), at(3, stale), at(4, tx(OTHER, 2, 1, (byte) 1))));
    assertThat(chains).containsExactly(List.of(2L, 4L));
    assertThat(results).containsExactly(11L, null, 12L);
    assertThatThrownBy(mine.get(stale.proposalId())::get).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(StaleLeaseException.class);
  }

  @Test
  void aLeaseChangeInTheMiddleSplitsTheChainAndFencesWhatFollows() throws Exception {
    machine.apply(at(1, new LeaseEntry(1, ME)));
    TxEntry before = myTx(1);
    TxEntry after = myTx(1); // prepared under lease 1, committed after lease 2: rejected
    List<Object> results = machine.applyBatch(List.of(
        at(2, before),
        at(3, tx(ME, 99, 1, (byte) 1)),
        at(4, new LeaseEntry(2, OTHER)),
        at(5, after),
        at(6, tx(OTHER, 1, 2, (byte) 1)),
        at(7, tx(OTHER, 2, 2, (byte) 1))));
    assertThat(chains).containsExactly(List.of(2L, 3L), List.of(6L, 7L));
    // A lease entry's result is whether it was accepted (its proposer, the LeaseKeeper, reads it).
    assertThat(results).containsExactly(11L, 12L, true, null, 13L, 14L);
    assertThat(mine.get(before.proposalId()).get()).isEqualTo(11L);
    assertThatThrownBy(mine.get(after.proposalId())::get).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(StaleLeaseException.class);
    // The lease was applied after the first chain was durable: its start tx id is 12.
    assertThat(gate.currentLeaseId()).isEqualTo(2);
    assertThat(gate.isOpen()).isFalse();
    assertThat(LeaseState.open(dir).current()).isEqualTo(new LeaseState.Snapshot(2, OTHER, 4));
    assertThat(machine.lastAppliedIndex()).isEqualTo(7);
    assertThat(machine.chainStats()).containsExactly(2L, 4L, 2L);
  }

  @Test
  void myLeaseInTheMiddleRecordsTheTxIdAfterTheChainBeforeIt() throws Exception {
    machine.apply(at(1, new LeaseEntry(1, OTHER)));
    machine.applyBatch(List.of(
        at(2, tx(OTHER, 1, 1, (byte) 1)), at(3, tx(OTHER, 2, 1, (byte) 1)),
        at(4, new LeaseEntry(2, ME)), at(5, myTx(2))));
    assertThat(chains).containsExactly(List.of(2L, 3L), List.of(5L));
    assertThat(gate.isOpen()).isTrue();
    assertThat(gate.txIdAtLeaseStart()).isEqualTo(12);
  }

  @Test
  void aKernelVersionChangeSplitsTheChain() throws Exception {
    machine.apply(at(1, new LeaseEntry(1, OTHER)));
    machine.applyBatch(List.of(
        at(2, tx(OTHER, 1, 1, (byte) 1)), at(3, tx(OTHER, 2, 1, (byte) 2)),
        at(4, tx(OTHER, 3, 1, (byte) 2))));
    assertThat(chains).containsExactly(List.of(2L), List.of(3L, 4L));
  }

  @Test
  void replayedEntriesAtOrBelowTheDurableIndexAreSkipped() throws Exception {
    machine.apply(at(1, new LeaseEntry(1, OTHER)));
    machine.applyBatch(List.of(at(2, tx(OTHER, 1, 1, (byte) 1)), at(3, tx(OTHER, 2, 1, (byte) 1))));
    // Restart: applied index = max(consensusIndex 3, lease index 1).
    machine = newMachine();
    slot.databaseAvailable(true);
    assertThat(machine.lastAppliedIndex()).isEqualTo(3);
    List<Object> results = machine.applyBatch(List.of(
        at(2, tx(OTHER, 1, 1, (byte) 1)), at(3, tx(OTHER, 2, 1, (byte) 1)),
        at(4, tx(OTHER, 3, 1, (byte) 1))));
    assertThat(chains).containsExactly(List.of(2L, 3L), List.of(4L));
    assertThat(results).containsExactly(null, null, 13L);
  }

  @Test
  void aChainFailurePanicsFailsWaitersAndKeepsTheAppliedIndexAtTheLastDurableEntry()
      throws Exception {
    machine.apply(at(1, new LeaseEntry(1, ME)));
    TxEntry first = myTx(2);
    chainFailure = new IllegalStateException("disk on fire");
    assertThatThrownBy(() -> machine.applyBatch(List.of(
        at(2, new NoOpEntry()), at(3, new LeaseEntry(2, ME)), at(4, first),
        at(5, myTx(2)))))
        .hasMessageContaining("disk on fire");
    assertThat(panics).hasSize(1);
    assertThat(machine.failed()).isTrue();
    // The lease at 3 is durable (lease file); the chain 4..5 is not: restart replays from 3.
    assertThat(machine.lastAppliedIndex()).isEqualTo(3);
    assertThat(LeaseState.open(dir).current().raftIndex()).isEqualTo(3);
    assertThatThrownBy(mine.get(first.proposalId())::get).isInstanceOf(ExecutionException.class);
    chainFailure = null;
    assertThatThrownBy(() -> machine.applyBatch(List.of(at(6, new NoOpEntry()))))
        .hasMessageContaining("stopped");
    assertThat(chains).isEmpty();
  }
}
