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
import io.graft.bridge.model.UserRecord;
import io.graft.bridge.model.UsersEntry;
import io.graft.raft.api.CommittedEntry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state machine's rules without Neo4j (fake applier and id switch): lease succession, the
 * write gate and id allocation follow the applied lease, stale-lease transactions are rejected and
 * fail only their origin's waiter, replays at or below the applied index are skipped, and an apply
 * failure panics and stops the machine (docs/ARCHITECTURE.md §2; docs/NEO4J-INTERNALS.md §8.2).
 */
class GraphStateMachineTest {
  private static final String ME = "a:1";
  private static final String OTHER = "b:1";

  @TempDir Path dir;
  private final List<Long> appliedIndexes = new ArrayList<>();
  private final List<Boolean> allocation = new ArrayList<>();
  private final List<Throwable> panics = new ArrayList<>();
  /** At each force of Neo4j's log: the index the lease file recorded then. */
  private final List<Long> forcedAtLeaseIndex = new ArrayList<>();
  private final AtomicLong lastTx = new AtomicLong(10);
  private final AtomicLong consensusIndex = new AtomicLong(0);
  private final WriteGate gate = new WriteGate();
  private final ProposalWaiters waiters = new ProposalWaiters();
  private RuntimeException applyFailure;
  private GraphStateMachine machine;
  private DatabaseSlot slot;

  @BeforeEach
  void setUp() throws IOException {
    machine = newMachine();
  }

  private GraphStateMachine newMachine() throws IOException {
    EntryApplier applier = (tx, index) -> {
      if (applyFailure != null) {
        throw applyFailure;
      }
      appliedIndexes.add(index);
      consensusIndex.set(index);
      return lastTx.incrementAndGet();
    };
    slot = new DatabaseSlot(
        new DatabaseHandle(applier, allocation::add, lastTx::get, consensusIndex::get, panics::add,
            new Durability() {
              @Override
              public void force(Purpose purpose) throws IOException {
                forcedAtLeaseIndex.add(LeaseState.open(dir).current().raftIndex());
              }

              @Override
              public long durableConsensusIndex() {
                return consensusIndex.get();
              }
            }));
    return new GraphStateMachine(
        ME, new LeaseFencing(ME, LeaseState.open(dir), gate), slot, waiters, null,
        UsersState.open(dir));
  }

  private Object apply(long index, ReplicatedEntry e) throws Exception {
    slot.databaseAvailable(true);
    return machine.apply(new CommittedEntry(index, 1, EntryCodec.encode(e)));
  }

  private static TxEntry tx(String origin, long proposalId, int lease) {
    return new TxEntry(origin, proposalId, lease, (byte) 1, 0, 0, 0, null, 0, new byte[0]);
  }

  @Test
  void neo4jsLogIsForcedBeforeALeaseIndexIsRecordedOutsideIt() throws Exception {
    apply(1, tx(ME, 1, 0));
    assertThat(forcedAtLeaseIndex).as("a transaction alone forces nothing").isEmpty();
    apply(2, new LeaseEntry(1, ME));
    assertThat(forcedAtLeaseIndex).as("forced while the lease file still said 0").containsExactly(0L);
    assertThat(LeaseState.open(dir).current().raftIndex()).isEqualTo(2);
    apply(3, new LeaseEntry(1, OTHER)); // not the successor: rejected, nothing recorded
    assertThat(forcedAtLeaseIndex).containsExactly(0L);
  }

  @Test
  void usersEntryIsDurableInTheUsersTableAndCountsForTheAppliedIndexAfterARestart()
      throws Exception {
    apply(1, new LeaseEntry(1, ME));
    apply(2, new UsersEntry(List.of(new UserRecord("alice", "SHA-256,a,b,1024", false, false))));
    assertThat(machine.lastAppliedIndex()).isEqualTo(2);
    assertThat(UsersState.open(dir).current().users()).containsOnlyKeys("alice");
    assertThat(forcedAtLeaseIndex).as("Neo4j's log forced before the lease, then before the users"
        + " table recorded an index").containsExactly(0L, 1L);
    // Neo4j's consensusIndex and the lease file say 1; the users table says 2: no replay.
    machine = newMachine();
    assertThat(machine.lastAppliedIndex()).isEqualTo(2);
    assertThat(apply(2, new UsersEntry(List.of(UserRecord.drop("alice"))))).isNull();
    assertThat(UsersState.open(dir).current().users().get("alice").dropped()).isFalse();
  }

  @Test
  void aMachineWithoutAUsersTableStopsOnAUsersEntry() throws Exception {
    slot = new DatabaseSlot(new DatabaseHandle((tx, index) -> 1L, allocation::add, lastTx::get,
        consensusIndex::get, panics::add, Durability.everyApply(consensusIndex::get)));
    machine = new GraphStateMachine(
        ME, new LeaseFencing(ME, LeaseState.open(dir), gate), slot, waiters, null);
    assertThatThrownBy(() -> apply(1, new UsersEntry(List.of(UserRecord.drop("x")))))
        .hasMessageContaining("built without the cluster's user table");
    assertThat(panics).hasSize(1);
  }

  @Test
  void ownLeaseOpensTheGateAndEnablesAllocationOthersClose() throws Exception {
    assertThat(allocation).containsExactly(false);
    apply(1, new LeaseEntry(1, ME));
    assertThat(gate.isOpen()).isTrue();
    assertThat(gate.txIdAtLeaseStart()).isEqualTo(10);
    assertThat(allocation).containsExactly(false, true);
    apply(2, new LeaseEntry(2, OTHER));
    assertThat(gate.isOpen()).isFalse();
    assertThat(gate.currentLeaseId()).isEqualTo(2);
    assertThat(allocation).containsExactly(false, true, false);
  }

  @Test
  void onlyTheSuccessorLeaseIsAccepted() throws Exception {
    apply(1, new LeaseEntry(1, OTHER));
    apply(2, new LeaseEntry(1, ME)); // lost the race: same id again
    apply(3, new LeaseEntry(3, ME)); // skips an id
    assertThat(gate.currentLeaseId()).isEqualTo(1);
    assertThat(gate.currentLeaseOwner()).isEqualTo(OTHER);
    assertThat(gate.isOpen()).isFalse();
    assertThat(LeaseState.open(dir).current()).isEqualTo(new LeaseState.Snapshot(1, OTHER, 1));
  }

  @Test
  void staleLeaseTransactionIsRejectedAndFailsOnlyItsOriginsWaiter() throws Exception {
    apply(1, new LeaseEntry(1, ME));
    ProposalWaiters.Proposal p1 = waiters.register(null);
    CompletableFuture<Long> mine = p1.future();
    long id = p1.id();
    apply(2, new LeaseEntry(2, OTHER));
    assertThat(apply(3, tx(ME, id, 1))).isNull();
    assertThat(apply(4, tx(OTHER, 99, 1))).isNull();
    assertThat(appliedIndexes).isEmpty();
    assertThatThrownBy(mine::get).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(StaleLeaseException.class);
    apply(5, new LeaseEntry(3, ME));
    ProposalWaiters.Proposal p2 = waiters.register(null);
    CompletableFuture<Long> next = p2.future();
    long id2 = p2.id();
    assertThat(apply(6, tx(ME, id2, 3))).isEqualTo(11L);
    assertThat(next.get()).isEqualTo(11L);
    assertThat(appliedIndexes).containsExactly(6L);
  }

  @Test
  void replaysAtOrBelowTheDurableAppliedIndexAreSkipped() throws Exception {
    apply(1, new LeaseEntry(1, OTHER));
    apply(2, tx(OTHER, 1, 1));
    apply(3, new NoOpEntry());
    // Restart: the applied index is max(consensusIndex=2, lease index=1) = 2.
    machine = newMachine();
    assertThat(machine.lastAppliedIndex()).isEqualTo(2);
    apply(1, new LeaseEntry(1, OTHER));
    apply(2, tx(OTHER, 1, 1));
    assertThat(appliedIndexes).containsExactly(2L);
    assertThat(gate.currentLeaseId()).isEqualTo(1);
    apply(3, tx(OTHER, 2, 1));
    assertThat(appliedIndexes).containsExactly(2L, 3L);
  }

  @Test
  void anApplyFailurePanicsAndStopsTheMachine() throws Exception {
    apply(1, new LeaseEntry(1, OTHER));
    applyFailure = new IllegalStateException("disk on fire");
    assertThatThrownBy(() -> apply(2, tx(OTHER, 1, 1))).hasMessageContaining("disk on fire");
    assertThat(panics).hasSize(1);
    assertThat(machine.failed()).isTrue();
    applyFailure = null;
    assertThatThrownBy(() -> apply(3, tx(OTHER, 2, 1))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("stopped");
    assertThat(appliedIndexes).isEmpty();
    assertThat(machine.lastAppliedIndex()).isEqualTo(1);
  }
}
