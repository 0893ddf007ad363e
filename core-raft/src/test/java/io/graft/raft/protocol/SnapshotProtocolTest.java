package io.graft.raft.protocol;

import static io.graft.raft.protocol.Fixtures.N1;
import static io.graft.raft.protocol.Fixtures.N2;
import static io.graft.raft.protocol.Fixtures.N3;
import static io.graft.raft.protocol.Fixtures.append;
import static io.graft.raft.protocol.Fixtures.drain;
import static io.graft.raft.protocol.Fixtures.entry;
import static io.graft.raft.protocol.Fixtures.granted;
import static io.graft.raft.protocol.Fixtures.ids;
import static io.graft.raft.protocol.Fixtures.machine;
import static io.graft.raft.protocol.Fixtures.ofType;
import static io.graft.raft.protocol.Fixtures.plain;
import static io.graft.raft.protocol.Fixtures.store;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.Role;
import io.graft.raft.message.AppendEntries;
import io.graft.raft.message.AppendEntriesResponse;
import io.graft.raft.message.InstallSnapshot;
import io.graft.raft.message.InstallSnapshotResponse;
import io.graft.raft.protocol.membership.Configuration;
import io.graft.raft.protocol.progress.ProgressState;
import io.graft.raft.storage.memory.InMemoryLogStore;
import org.junit.jupiter.api.Test;

/**
 * The snapshot path of the protocol (thesis §5.3, InstallSnapshot): the leader switches a follower
 * whose entries were compacted to SNAPSHOT and asks the runtime to stream the newest snapshot,
 * re-issues a stalled transfer, and probes after the snapshot once the follower reports it done;
 * the follower hands chunks of the current leader to the runtime, answers a snapshot it already has
 * at once, and adopts an installed snapshot (commitIndex, applied index, configuration).
 */
class SnapshotProtocolTest {
  private static final Configuration CONFIG = Configuration.ofVoters(ids(3));

  /** A leader of term 2 whose log was compacted to index 8 (entries 9, 10 and its NOOP 11). */
  private static RaftMachine compactedLeader() {
    InMemoryLogStore log = store(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    log.compactPrefix(8, 1);
    RaftMachine m = machine(plain(), N1, ids(3), log, new HardState(1, null, 8));
    while (m.role() != Role.CANDIDATE) {
      m.tick();
    }
    drain(m);
    m.step(granted(N2, 2));
    assertThat(m.role()).isEqualTo(Role.LEADER);
    drain(m);
    return m;
  }

  /** The follower answers the leader's first probe: its log ends at 2, far below index 8. */
  private static void followerFarBehind(RaftMachine leader) {
    leader.step(new AppendEntriesResponse(N2, 2, false, 0, 3, 0, 2));
  }

  @Test
  void followerBehindTheCompactedLogGoesToSnapshotAndTheReadyAsksForATransfer_5_3() {
    RaftMachine m = compactedLeader();
    m.snapshotAvailable(new SnapshotMeta(8, 1, CONFIG));
    followerFarBehind(m);
    Ready rd = drain(m);
    assertThat(m.progress(N2).state()).isEqualTo(ProgressState.SNAPSHOT);
    assertThat(m.progress(N2).pendingSnapshotIndex()).isEqualTo(8);
    assertThat(rd.snapshotsToSend())
        .containsExactly(new SnapshotSend(N2, 2, new SnapshotMeta(8, 1, CONFIG)));
    assertThat(ofType(rd.messagesNow(), AppendEntries.class)).noneMatch(a -> a.prevLogIndex() < 8);
  }

  @Test
  void withoutASnapshotTheFollowerWaitsAndGetsTheFirstOneThatAppears() {
    RaftMachine m = compactedLeader();
    followerFarBehind(m);
    assertThat(drain(m).snapshotsToSend()).isEmpty();
    assertThat(m.progress(N2).state()).isEqualTo(ProgressState.SNAPSHOT);
    m.snapshotAvailable(new SnapshotMeta(9, 2, CONFIG));
    assertThat(drain(m).snapshotsToSend())
        .containsExactly(new SnapshotSend(N2, 2, new SnapshotMeta(9, 2, CONFIG)));
  }

  @Test
  void aStalledTransferIsIssuedAgainButProgressReportsKeepItAlive() {
    RaftMachine m = compactedLeader();
    m.snapshotAvailable(new SnapshotMeta(8, 1, CONFIG));
    followerFarBehind(m);
    drain(m);
    int stall = 2 * Fixtures.ELECTION;
    for (int i = 0; i < stall - 1; i++) {
      m.tick();
      m.step(new InstallSnapshotResponse(N2, 2, 8, 1000L * (i + 1), true, false));
    }
    assertThat(drain(m).snapshotsToSend()).as("progressing transfer is not re-issued").isEmpty();
    for (int i = 0; i < stall; i++) {
      m.tick();
    }
    assertThat(drain(m).snapshotsToSend()).as("stalled transfer re-issued (resume)").hasSize(1);
  }

  @Test
  void doneAnswerSetsMatchAndProbesRightAfterTheSnapshot() {
    RaftMachine m = compactedLeader();
    m.snapshotAvailable(new SnapshotMeta(8, 1, CONFIG));
    followerFarBehind(m);
    drain(m);
    m.step(new InstallSnapshotResponse(N2, 2, 8, 0, true, true));
    Ready rd = drain(m);
    assertThat(m.progress(N2).matchIndex()).isEqualTo(8);
    assertThat(m.progress(N2).state()).isEqualTo(ProgressState.PROBE);
    AppendEntries probe = ofType(rd.messagesNow(), AppendEntries.class).stream()
        .filter(a -> a.prevLogIndex() == 8).findFirst().orElseThrow();
    assertThat(probe.prevLogTerm()).isEqualTo(1);
    assertThat(probe.entries()).extracting(e -> e.index()).startsWith(9L);
  }

  @Test
  void aFailedOrStaleAnswerDoesNotMoveMatch() {
    RaftMachine m = compactedLeader();
    m.snapshotAvailable(new SnapshotMeta(8, 1, CONFIG));
    followerFarBehind(m);
    drain(m);
    m.step(new InstallSnapshotResponse(N2, 2, 8, 0, false, true));
    m.step(new InstallSnapshotResponse(N2, 2, 5, 0, true, true)); // an older snapshot's answer
    assertThat(m.progress(N2).matchIndex()).isZero();
    assertThat(m.progress(N2).state()).isEqualTo(ProgressState.SNAPSHOT);
  }

  private static InstallSnapshot chunk(long term, long index, long offset, boolean done) {
    return new InstallSnapshot(N1, term, index, 1, new byte[0], offset, new byte[] {1, 2}, 0, done);
  }

  @Test
  void followerHandsChunksOfTheCurrentLeaderToTheRuntimeAndFollowsIt() {
    RaftMachine f = machine(plain(), N2, ids(3), store(1, 1), new HardState(1, null, 2));
    InstallSnapshot c = chunk(2, 50, 0, false);
    f.step(c);
    Ready rd = drain(f);
    assertThat(rd.snapshotChunks()).containsExactly(c);
    assertThat(f.leader()).isEqualTo(N1);
    assertThat(f.term()).isEqualTo(2);
    assertThat(rd.messagesAfterPersist()).isEmpty(); // the receiver answers once it wrote it
  }

  @Test
  void followerAnswersASnapshotItAlreadyCoversAsDone() {
    RaftMachine f = machine(plain(), N2, ids(3), store(1, 1, 1), new HardState(1, null, 3));
    f.step(chunk(1, 2, 0, false));
    Ready rd = drain(f);
    assertThat(rd.snapshotChunks()).isEmpty();
    assertThat(ofType(rd.messagesAfterPersist(), InstallSnapshotResponse.class))
        .containsExactly(new InstallSnapshotResponse(N2, 1, 2, 0, true, true));
  }

  @Test
  void chunkOfAStaleTermIsRefusedWithTheCurrentTerm() {
    RaftMachine f = machine(plain(), N2, ids(3), store(1, 1), new HardState(3, null, 2));
    f.step(chunk(2, 50, 0, false));
    Ready rd = drain(f);
    assertThat(rd.snapshotChunks()).isEmpty();
    InstallSnapshotResponse r =
        ofType(rd.messagesAfterPersist(), InstallSnapshotResponse.class).get(0);
    assertThat(r.term()).isEqualTo(3);
    assertThat(r.success()).isFalse();
  }

  @Test
  void restoreAdoptsTheSnapshotAndTheLogContinuesAfterIt_5_3() {
    InMemoryLogStore log = store(1, 1, 1);
    RaftMachine f = machine(plain(), N2, ids(3), log, new HardState(2, null, 1));
    f.step(append(N1, 2, 3, 1, 1)); // learns the leader of term 2
    drain(f);
    // the runtime installed the snapshot at 20 (term 2) and compacted the log past its end
    log.truncateSuffix(2);
    log.compactPrefix(20, 2);
    Configuration newConfig = Configuration.ofVoters(java.util.Set.of(N1, N2, N3));
    assertThat(f.restoreSnapshot(new SnapshotMeta(20, 2, newConfig), N1)).isTrue();
    Ready rd = drain(f);
    assertThat(f.commitIndex()).isEqualTo(20);
    assertThat(f.lastIndex()).isEqualTo(20);
    assertThat(ofType(rd.messagesAfterPersist(), InstallSnapshotResponse.class))
        .containsExactly(new InstallSnapshotResponse(N2, 2, 20, 0, true, true));
    assertThat(rd.entriesToApply()).isEmpty();
    // the leader's probe at the snapshot boundary matches, and 21 is applied next
    f.step(append(N1, 2, 20, 2, 21, entry(2, 21)));
    Ready next = drain(f);
    assertThat(ofType(next.messagesAfterPersist(), AppendEntriesResponse.class).get(0).success())
        .isTrue();
    // applicable once its own write is durable: the Ready after
    assertThat(Fixtures.drainApplied(f)).extracting(e -> e.index()).containsExactly(21L);
  }

  @Test
  void restoreOfASnapshotAtOrBelowCommitChangesNothingButAnswers() {
    RaftMachine f = machine(plain(), N2, ids(3), store(1, 1, 1), new HardState(1, null, 3));
    assertThat(f.restoreSnapshot(new SnapshotMeta(2, 1, CONFIG), N1)).isFalse();
    Ready rd = drain(f);
    assertThat(f.commitIndex()).isEqualTo(3);
    assertThat(f.lastIndex()).isEqualTo(3);
    assertThat(ofType(rd.messagesAfterPersist(), InstallSnapshotResponse.class)).hasSize(1);
  }

  @Test
  void restoreBeforeTheStoreWasCompactedIsAProgrammingError() {
    RaftMachine f = machine(plain(), N2, ids(3), store(1, 1, 1), new HardState(1, null, 1));
    assertThatThrownBy(() -> f.restoreSnapshot(new SnapshotMeta(20, 2, CONFIG), N1))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("store's snapshot");
  }
}
