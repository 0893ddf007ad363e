package io.graft.raft.protocol;

import static io.graft.raft.protocol.Fixtures.N1;
import static io.graft.raft.protocol.Fixtures.N2;
import static io.graft.raft.protocol.Fixtures.append;
import static io.graft.raft.protocol.Fixtures.drain;
import static io.graft.raft.protocol.Fixtures.entry;
import static io.graft.raft.protocol.Fixtures.heartbeat;
import static io.graft.raft.protocol.Fixtures.ids;
import static io.graft.raft.protocol.Fixtures.machine;
import static io.graft.raft.protocol.Fixtures.ofType;
import static io.graft.raft.protocol.Fixtures.plain;
import static io.graft.raft.protocol.Fixtures.store;
import static io.graft.raft.protocol.Fixtures.termsOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.message.AppendEntriesResponse;
import io.graft.raft.message.LogEntry;
import io.graft.raft.message.HeartbeatResponse;
import io.graft.raft.storage.memory.InMemoryLogStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every AppendEntries receiver rule of Figure 2 (§5.3) on one follower: stale term, the consistency
 * check with the fast back-off hint, conflict truncation, idempotent appends, the commit rule, and
 * that replies promise durable state (messagesAfterPersist). Scenarios from etcd-io/raft
 * raft_paper_test.go TestFollowerCheckMsgApp, TestFollowerAppendEntries, TestFollowerCommitEntry.
 * The follower's log is [t1, t2] at term 2 unless a test says otherwise.
 */
class AppendEntriesReceiverTest {
  private final InMemoryLogStore log = store(1, 2);
  private final RaftMachine follower = machine(plain(), N1, ids(3), log, new HardState(2, null, 0));

  private AppendEntriesResponse reply() {
    Ready rd = drain(follower);
    assertThat(rd.messagesNow()).as("followers only send after persisting").isEmpty();
    return ofType(rd.messagesAfterPersist(), AppendEntriesResponse.class).get(0);
  }

  @Test
  void rule1_rejectsStaleTerm() {
    follower.step(append(N2, 1, 2, 2, 0, entry(1, 3)));
    AppendEntriesResponse r = reply();
    assertThat(r.success()).isFalse();
    assertThat(r.term()).isEqualTo(2);
    assertThat(follower.lastIndex()).isEqualTo(2);
  }

  @ParameterizedTest(name = "prev ({0},{1}) -> success {2}, conflictIndex {3}, conflictTerm {4}")
  @CsvSource({
    "0, 0, true, 0, 0", // empty prefix always matches
    "1, 1, true, 0, 0",
    "2, 2, true, 0, 0",
    "1, 2, false, 1, 1", // term mismatch at 1: our term 1 starts at 1
    "2, 3, false, 2, 2", // term mismatch at 2: our term 2 starts at 2
    "3, 2, false, 3, 0", // our log is too short: conflictTerm 0, conflictIndex = last + 1
  })
  void rule2_consistencyCheckWithFastBackOffHint(
      long prevIndex, long prevTerm, boolean success, long conflictIndex, long conflictTerm) {
    follower.step(append(N2, 2, prevIndex, prevTerm, 0));
    AppendEntriesResponse r = reply();
    assertThat(r.success()).isEqualTo(success);
    assertThat(r.conflictIndex()).isEqualTo(conflictIndex);
    assertThat(r.conflictTerm()).isEqualTo(conflictTerm);
    assertThat(r.lastLogIndex()).isEqualTo(2);
  }

  @Test
  void rule2_hintNamesFirstIndexOfTheConflictingTermRun() {
    RaftMachine m = machine(plain(), N1, ids(3), store(1, 2, 2, 2, 2), new HardState(3, null, 0));
    m.step(append(N2, 3, 5, 3, 0));
    AppendEntriesResponse r =
        ofType(drain(m).messagesAfterPersist(), AppendEntriesResponse.class).get(0);
    assertThat(r.conflictTerm()).isEqualTo(2);
    assertThat(r.conflictIndex()).isEqualTo(2);
  }

  @Test
  void rule3_conflictingEntryAndAllThatFollowAreDeleted() {
    // given [t1, t2]; when the leader of term 3 says index 2 has term 3
    follower.step(append(N2, 3, 1, 1, 0, entry(3, 2), entry(3, 3)));
    Ready rd = drain(follower);
    // then the runtime is told to overwrite from index 2 (entriesToPersist starts below its end)
    assertThat(rd.entriesToPersist()).containsExactly(entry(3, 2), entry(3, 3));
    assertThat(termsOf(log)).containsExactly(1, 3, 3);
    assertThat(ofType(rd.messagesAfterPersist(), AppendEntriesResponse.class).get(0).matchIndex())
        .isEqualTo(3);
  }

  @Test
  void rule4_appendsOnlyNewEntriesAndStaleDuplicatesNeverTruncate() {
    // given the leader appended 3 and 4
    follower.step(append(N2, 2, 2, 2, 0, entry(2, 3), entry(2, 4)));
    drain(follower);
    // when a reordered, older AppendEntries carrying only entry 3 arrives
    follower.step(append(N2, 2, 2, 2, 0, entry(2, 3)));
    AppendEntriesResponse r = reply();
    // then nothing is truncated (4 stays), nothing is re-persisted, and the reply is a success
    assertThat(termsOf(log)).containsExactly(1, 2, 2, 2);
    assertThat(follower.lastIndex()).isEqualTo(4);
    assertThat(r.success()).isTrue();
    assertThat(r.matchIndex()).isEqualTo(3);
  }

  @ParameterizedTest(name = "leaderCommit {0} with entries up to {1} -> commit {2}")
  @CsvSource({"1, 2, 1", "2, 2, 2", "5, 2, 2", "5, 3, 3", "0, 3, 0"})
  void rule5_commitIsMinOfLeaderCommitAndLastNewEntry(
      long leaderCommit, long lastNew, long commit) {
    if (lastNew == 3) {
      follower.step(append(N2, 2, 2, 2, leaderCommit, entry(2, 3)));
    } else {
      follower.step(append(N2, 2, 2, 2, leaderCommit));
    }
    java.util.List<LogEntry> applied = Fixtures.drainApplied(follower);
    assertThat(follower.commitIndex()).isEqualTo(commit);
    assertThat(applied).hasSize((int) commit);
  }

  @Test
  void rule5_aStaleTailBeyondTheLastNewEntryIsNeverCommitted() {
    // given a follower whose log [t1, t2, t2, t2] has a tail (3, 4) from an old leader of term 2
    // that the new leader of term 3 does not hold (its 3 and 4 are of term 3)
    RaftMachine m = machine(plain(), N1, ids(3), store(1, 2, 2, 2), new HardState(3, null, 0));
    // when the new leader's probe matches at 2 and carries leaderCommit 4 but no entries
    m.step(append(N2, 3, 2, 2, 4));
    drain(m);
    // then only what the message vouched for is committed (Figure 2 rule 5: min(leaderCommit,
    // index of last NEW entry), not the follower's lastIndex): committing 3 and 4 would apply
    // entries the cluster later overwrites
    assertThat(m.commitIndex()).isEqualTo(2);
    assertThat(m.lastIndex()).isEqualTo(4);
  }

  @Test
  void commitIndexNeverDecreases_5_3() {
    follower.step(append(N2, 2, 2, 2, 2));
    drain(follower);
    follower.step(append(N2, 2, 2, 2, 1));
    follower.step(heartbeat(N2, 2, 0));
    drain(follower);
    assertThat(follower.commitIndex()).isEqualTo(2);
  }

  @Test
  void appendBelowCommitIndexSkipsCommittedPrefixInsteadOfTruncating() {
    // given commit 2
    follower.step(append(N2, 2, 2, 2, 2));
    drain(follower);
    // when a delayed AppendEntries with prevLogIndex 0 re-sends [t1, t2] and adds index 3
    follower.step(append(N2, 2, 0, 0, 2, entry(1, 1), entry(2, 2), entry(2, 3)));
    AppendEntriesResponse r = reply();
    assertThat(r.success()).isTrue();
    assertThat(r.matchIndex()).isEqualTo(3);
    assertThat(termsOf(log)).containsExactly(1, 2, 2);
  }

  @Test
  void aLeaderConflictingWithACommittedEntryIsAnInvariantViolation_5_4() {
    follower.step(append(N2, 2, 2, 2, 2));
    drain(follower);
    // a (buggy) leader of term 3 claims index 2 has term 3 with prevLogIndex 2 -> consistency check
    // fails (no truncation); but claiming entry 2 via prevLogIndex 1 would truncate a committed
    // entry: the follower skips the committed prefix instead (see previous test), so force the
    // check through the log directly
    assertThatThrownBy(() -> Fixtures.truncateAt(follower, entry(3, 2)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("truncating committed entry 2");
  }

  @Test
  void heartbeatCommitIsBoundedAndAnsweredWithLastIndex() {
    follower.step(heartbeat(N2, 2, 7));
    Ready rd = drain(follower);
    assertThat(follower.commitIndex()).as("never beyond our last index").isEqualTo(2);
    // it promises nothing durable: it leaves at once, not behind the member's log writes
    assertThat(ofType(rd.messagesAfterPersist(), HeartbeatResponse.class)).isEmpty();
    HeartbeatResponse r = ofType(rd.messagesNow(), HeartbeatResponse.class).get(0);
    assertThat(r.lastLogIndex()).isEqualTo(2);
    assertThat(follower.leader()).isEqualTo(N2);
  }
}
