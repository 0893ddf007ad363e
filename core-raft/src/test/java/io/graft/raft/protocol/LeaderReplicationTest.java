package io.graft.raft.protocol;

import static io.graft.raft.protocol.Fixtures.N1;
import static io.graft.raft.protocol.Fixtures.N2;
import static io.graft.raft.protocol.Fixtures.N3;
import static io.graft.raft.protocol.Fixtures.N4;
import static io.graft.raft.protocol.Fixtures.N5;
import static io.graft.raft.protocol.Fixtures.ack;
import static io.graft.raft.protocol.Fixtures.drain;
import static io.graft.raft.protocol.Fixtures.granted;
import static io.graft.raft.protocol.Fixtures.ids;
import static io.graft.raft.protocol.Fixtures.machine;
import static io.graft.raft.protocol.Fixtures.leader;
import static io.graft.raft.protocol.Fixtures.ofType;
import static io.graft.raft.protocol.Fixtures.payloads;
import static io.graft.raft.protocol.Fixtures.plain;
import static io.graft.raft.protocol.Fixtures.store;
import static io.graft.raft.protocol.Fixtures.termsOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Role;
import io.graft.raft.message.AppendEntries;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.Heartbeat;
import io.graft.raft.message.LogEntry;
import io.graft.raft.storage.memory.InMemoryLogStore;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The leader side of log replication and the commit rule: §5.3 (replication, log repair of Figure
 * 7), §5.4.2 and Figure 8 (only current-term entries commit by counting replicas; earlier entries
 * commit through the new leader's NOOP), thesis §10.2.1 (the leader counts itself only once its own
 * write is durable). Scenarios from etcd-io/raft raft_paper_test.go (TestLeaderStartReplication,
 * TestLeaderCommitEntry, TestLeaderAcknowledgeCommit, TestLeaderSyncFollowerLog,
 * TestLeaderOnlyCommitsLogFromCurrentTerm) plus network-level ones.
 */
class LeaderReplicationTest {

  @Test
  void proposalIsPersistedAndSentInParallel_5_3_and_10_2_1() {
    // given a leader whose followers acknowledged its NOOP (they are in REPLICATE)
    RaftMachine m = leader(3, new InMemoryLogStore(), 1);
    m.step(ack(N2, 1, 1));
    m.step(ack(N3, 1, 1));
    drain(m);
    // when a proposal arrives
    long index = m.propose(payloads("x"));
    Ready rd = drain(m);
    // then the same entry is to be persisted and is already in the AppendEntries sent "now"
    assertThat(index).isEqualTo(2);
    assertThat(rd.entriesToPersist()).hasSize(1);
    assertThat(rd.entriesToPersist().get(0).type()).isEqualTo(EntryType.APPLICATION);
    List<AppendEntries> appends = ofType(rd.messagesNow(), AppendEntries.class);
    assertThat(appends).hasSize(2);
    assertThat(appends).allSatisfy(a -> assertThat(a.entries()).isEqualTo(rd.entriesToPersist()));
    // followers in the same state get the very same message: the transport encodes it once
    assertThat(appends.get(0)).isSameAs(appends.get(1));
    assertThat(rd.messagesAfterPersist()).isEmpty();
  }

  @Test
  void leaderCountsItselfOnlyAfterAdvance_10_2_1() {
    // given a 3-member leader whose NOOP (1) was acknowledged, then a proposal (2)
    RaftMachine m = leader(3, new InMemoryLogStore(), 1);
    m.step(ack(N2, 1, 1));
    drain(m);
    assertThat(m.commitIndex()).isEqualTo(1);
    m.propose(payloads("x"));
    Ready rd = m.ready();
    // when N2 acknowledges entry 2 before the leader has persisted it
    m.step(ack(N2, 1, 2));
    // then nothing commits: only N2 holds it durably, the leader does not count itself yet
    assertThat(m.commitIndex()).isEqualTo(1);
    // when the leader's own write completes (persist, then advance)
    Fixtures.persistOnly(m, rd);
    m.advance(rd);
    // then entry 2 commits
    assertThat(m.commitIndex()).isEqualTo(2);
  }

  @Test
  void singleMemberLeaderCommitsOnlyAfterItsOwnFsync() {
    RaftMachine m = machine(plain(), N1, ids(1), new InMemoryLogStore(), HardState.EMPTY);
    Fixtures.electAlone(m);
    assertThat(m.commitIndex()).isZero();
    drain(m);
    assertThat(m.commitIndex()).isEqualTo(1);
    m.propose(payloads("a", "b"));
    assertThat(m.commitIndex()).isEqualTo(1);
    drain(m);
    assertThat(m.commitIndex()).isEqualTo(3);
    assertThat(drain(m).entriesToApply()).extracting(LogEntry::index).containsExactly(2L, 3L);
  }

  @ParameterizedTest(name = "cluster {0}: acks from {1} followers -> committed {2}")
  @CsvSource({
    "1, 0, true",
    "3, 0, false",
    "3, 1, true",
    "3, 2, true",
    "5, 1, false",
    "5, 2, true",
    "5, 4, true"
  })
  void entryCommitsOnceAMajorityHoldsIt_5_3(int size, int acks, boolean committed) {
    RaftMachine m = size == 1 ? singleLeader() : leader(size, new InMemoryLogStore(), 1);
    long index = m.propose(payloads("x"));
    drain(m);
    for (int i = 2; i < 2 + acks; i++) {
      m.step(ack(Fixtures.id(i), 1, index));
    }
    assertThat(m.commitIndex() >= index).isEqualTo(committed);
  }

  private static RaftMachine singleLeader() {
    RaftMachine m = machine(plain(), N1, ids(1), new InMemoryLogStore(), HardState.EMPTY);
    Fixtures.electAlone(m);
    drain(m);
    return m;
  }

  @Test
  void duplicateAcksDoNotCountTwice_5_3() {
    RaftMachine m = leader(5, new InMemoryLogStore(), 1);
    long index = m.propose(payloads("x"));
    drain(m);
    m.step(ack(N2, 1, index));
    m.step(ack(N2, 1, index));
    m.step(ack(N2, 1, index));
    assertThat(m.commitIndex()).isLessThan(index);
    m.step(ack(N3, 1, index));
    assertThat(m.commitIndex()).isEqualTo(index);
  }

  @Test
  void onlyCurrentTermEntriesCommitByCountingReplicas_Figure8() {
    // given S1 of Figure 8 (c): log [t1, t2] where t2 is uncommitted, now leader of term 4 in a
    // cluster of 5 with its NOOP at index 3
    RaftMachine m = leader(5, store(1, 2), 4);
    assertThat(m.lastIndex()).isEqualTo(3);
    // when S2 and S3 acknowledge index 2 (a majority S1, S2, S3 now stores the term-2 entry)
    m.step(ack(N2, 4, 2));
    m.step(ack(N3, 4, 2));
    // then it is NOT committed: a later leader (S5 in Figure 8 (d)) could still overwrite it
    assertThat(m.commitIndex()).isZero();
    // when the NOOP of term 4 reaches the majority
    m.step(ack(N2, 4, 3));
    m.step(ack(N3, 4, 3));
    // then index 3 commits, and with it the earlier-term entries (Log Matching, §5.4.2)
    assertThat(m.commitIndex()).isEqualTo(3);
    Ready rd = drain(m);
    assertThat(rd.entriesToApply()).extracting(LogEntry::term).containsExactly(1L, 2L, 4L);
  }

  @Test
  void commitIsPropagatedToFollowersAndHeartbeatsCarryMinOfCommitAndMatch_5_3() {
    Network net = Network.of(3, plain());
    net.campaign(N1);
    net.machine(N1).propose(payloads("a"));
    net.deliverAll();
    for (MemberId id : List.of(N1, N2, N3)) {
      assertThat(net.machine(id).commitIndex()).as("%s", id).isEqualTo(2);
      assertThat(net.node(id).applied).extracting(LogEntry::index).containsExactly(1L, 2L);
    }
    // a follower known to hold less must not be told a larger commit in a heartbeat
    net.isolate(N3);
    net.machine(N1).propose(payloads("b"));
    net.deliverAll();
    net.machine(N1).tick();
    Ready rd = drain(net.machine(N1));
    assertThat(rd.messagesNow())
        .filteredOn(e -> e.to().equals(N3))
        .extracting(e -> ((Heartbeat) e.message()).commitIndex())
        .containsExactly(2L);
  }

  @Test
  void heartbeatResponseFromLaggingFollowerTriggersCatchUp_5_3() {
    Network net = Network.of(3, plain());
    net.campaign(N1);
    net.isolate(N3);
    net.machine(N1).propose(payloads("a", "b"));
    net.deliverAll();
    assertThat(net.machine(N3).lastIndex()).isEqualTo(1);
    net.heal();
    // one heartbeat round: N3's response shows it is behind, and the leader sends the entries
    net.machine(N1).tick();
    net.deliverAll();
    assertThat(net.machine(N3).lastIndex()).isEqualTo(3);
    assertThat(net.machine(N3).commitIndex()).isEqualTo(3);
  }

  @Test
  void noCommitWithoutQuorum_5_3() {
    Network net = Network.of(5, plain());
    net.campaign(N1);
    net.isolate(N3);
    net.isolate(N4);
    net.isolate(N5);
    long index = net.machine(N1).propose(payloads("x"));
    net.tickAll(3);
    assertThat(net.machine(N1).commitIndex()).isLessThan(index);
    assertThat(net.node(N1).applied).extracting(LogEntry::index).doesNotContain(index);
    net.heal();
    net.tickAll(2);
    assertThat(net.machine(N1).commitIndex()).isEqualTo(index);
  }

  @ParameterizedTest(name = "Figure 7 follower ({0})")
  @ValueSource(strings = {"a", "b", "c", "d", "e", "f"})
  void newLeaderRepairsEveryFigure7FollowerLog_5_3(String figureCase) {
    // given the leader of Figure 7 (terms 1 1 1 4 4 5 5 6 6 6) about to lead term 8, one follower
    // from the figure, and an empty third member that gives the leader its majority
    long[] leaderLog = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6};
    Network net =
        Network.withLogs(
            plain(), new long[] {7, 7, 7}, leaderLog, figure7(figureCase), new long[0]);
    // when it wins the election and replicates
    net.campaign(N1);
    assertThat(net.machine(N1).role()).isEqualTo(Role.LEADER);
    assertThat(net.machine(N1).term()).isEqualTo(8);
    net.machine(N1).propose(payloads("after"));
    net.deliverAll();
    // then the follower's log equals the leader's: extra entries are gone, missing ones filled in
    long[] expected = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 8, 8};
    assertThat(termsOf(net.node(N2).store)).containsExactly(expected);
    assertThat(termsOf(net.node(N3).store)).containsExactly(expected);
    assertThat(net.machine(N2).commitIndex()).isEqualTo(12);
  }

  private static long[] figure7(String c) {
    switch (c) {
      case "a":
        return new long[] {1, 1, 1, 4, 4, 5, 5, 6, 6};
      case "b":
        return new long[] {1, 1, 1, 4};
      case "c":
        return new long[] {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6};
      case "d":
        return new long[] {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7};
      case "e":
        return new long[] {1, 1, 1, 4, 4, 4, 4};
      default:
        return new long[] {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3};
    }
  }

  @Test
  void newLeaderOverwritesConflictingUncommittedEntries_5_3() {
    // given N1 leads term 1 and appends two entries nobody else receives
    Network net = Network.of(3, plain());
    net.campaign(N1);
    net.isolate(N1);
    net.machine(N1).propose(payloads("lost-1", "lost-2"));
    net.deliverAll();
    // when N2 is elected in term 2 and commits its own entry
    net.campaign(N2);
    net.machine(N2).propose(payloads("kept"));
    net.deliverAll();
    // and N1 comes back
    net.heal();
    net.tickAll(2);
    // then N1's uncommitted entries were replaced by the new leader's, and never applied
    assertThat(net.machine(N1).role()).isEqualTo(Role.FOLLOWER);
    assertThat(termsOf(net.node(N1).store)).containsExactly(termsOf(net.node(N2).store));
    assertThat(net.node(N1).applied)
        .extracting(e -> new String(e.payload()))
        .doesNotContain("lost-1", "lost-2")
        .contains("kept");
  }

  @Test
  void leaderNeverTruncatesItsOwnLog_5_3_LeaderAppendOnly() {
    // a leader receiving a message of its own term that claims leadership is a protocol violation
    RaftMachine m = leader(3, new InMemoryLogStore(), 1);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> m.step(Fixtures.append(N2, 1, 0, 0, 0, Fixtures.entry(1, 1))))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("two leaders in term 1");
    assertThat(m.lastIndex()).isEqualTo(1);
  }

  @Test
  void followersRejectingStaleLeaderMakeItStepDown_5_1() {
    Network net = Network.of(3, plain());
    net.campaign(N1);
    net.isolate(N1);
    net.campaign(N2);
    net.heal();
    net.machine(N1).propose(payloads("stale"));
    net.deliverAll();
    assertThat(net.machine(N1).role()).isEqualTo(Role.FOLLOWER);
    assertThat(net.machine(N1).term()).isEqualTo(2);
    assertThat(net.machine(N2).role()).isEqualTo(Role.LEADER);
  }
}
