package io.graft.raft.protocol;

import static io.graft.raft.protocol.Fixtures.N1;
import static io.graft.raft.protocol.Fixtures.N2;
import static io.graft.raft.protocol.Fixtures.N3;
import static io.graft.raft.protocol.Fixtures.append;
import static io.graft.raft.protocol.Fixtures.drain;
import static io.graft.raft.protocol.Fixtures.entry;
import static io.graft.raft.protocol.Fixtures.ids;
import static io.graft.raft.protocol.Fixtures.machine;
import static io.graft.raft.protocol.Fixtures.plain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.RaftStatus;
import io.graft.raft.api.Role;
import io.graft.raft.message.AppendEntries;
import io.graft.raft.message.LogEntry;
import io.graft.raft.storage.memory.InMemoryLogStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The contract between the machine and the runtime (Ready's Javadoc, docs/STYLE.md §3.4): what goes
 * in messagesNow versus messagesAfterPersist, when mustSync is set, that committed entries are
 * handed out once each and in order, the restart contract (committed entries after the snapshot are
 * handed out again), misuse detection, and the status view.
 */
class ReadyContractTest {

  @Test
  void idleMachineHasNoReady() {
    RaftMachine m = machine(plain(), N1, ids(3), new InMemoryLogStore(), HardState.EMPTY);
    assertThat(m.hasReady()).isFalse();
    m.tick();
    assertThat(m.hasReady()).isFalse();
  }

  @Test
  void entriesAreHandedOutToApplyOnceEachInOrder() {
    Network net = Network.of(3, plain());
    net.campaign(N1);
    for (int i = 0; i < 5; i++) {
      net.machine(N1).propose(List.of(new byte[] {(byte) i}, new byte[] {(byte) (i + 100)}));
      net.deliverAll();
      net.tickAll(1);
    }
    for (Node n : net.nodes.values()) {
      assertThat(n.applied)
          .extracting(LogEntry::index)
          .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
    }
  }

  @Test
  void commitOnlyChangeIsPersistedWithoutSync() {
    RaftMachine m = machine(plain(), N1, ids(3), new InMemoryLogStore(), HardState.EMPTY);
    m.step(append(N2, 1, 0, 0, 0, entry(1, 1)));
    assertThat(drain(m).mustSync()).isTrue();
    m.step(append(N2, 1, 1, 1, 1));
    Ready rd = drain(m);
    assertThat(rd.hardState()).isEqualTo(new HardState(1, null, 1));
    assertThat(rd.mustSync()).isFalse();
    assertThat(rd.entriesToApply()).containsExactly(entry(1, 1));
    assertThat(rd.entriesToPersist()).isEmpty();
  }

  @Test
  void commitHintNeverExceedsWhatWasDurableBeforeTheReady() {
    // given a follower receiving entries 1..3 that are already committed by the leader
    RaftMachine m = machine(plain(), N1, ids(3), new InMemoryLogStore(), HardState.EMPTY);
    m.step(append(N2, 1, 0, 0, 3, entry(1, 1), entry(1, 2), entry(1, 3)));
    // the public hardState() is just as safe to save (the runtime saves it at shutdown)
    assertThat(m.hardState()).isEqualTo(new HardState(1, null, 0));
    Ready rd = m.ready();
    // then the hint saved with them stays at 0: a crash between saving the hard state and the
    // log sync must not leave commit 3 over a log that lost entries 1..3 (mailbox issue [sim] 1)
    assertThat(m.commitIndex()).isEqualTo(3);
    assertThat(rd.hardState()).isEqualTo(new HardState(1, null, 0));
    // and they are not applied before they are durable here
    assertThat(rd.entriesToApply()).isEmpty();
    Fixtures.persistOnly(m, rd);
    m.advance(rd);
    // once durable (advance), the next Ready applies them and carries the hint
    Ready next = drain(m);
    assertThat(next.entriesToApply()).extracting(LogEntry::index).containsExactly(1L, 2L, 3L);
    assertThat(next.hardState()).isEqualTo(new HardState(1, null, 3));
  }

  @Test
  void commitHintStaysBelowStaleEntriesWhoseTruncationIsNotDurable() {
    // given a follower with durable stale entries 2..3 of term 1 and commit 1
    InMemoryLogStore store = Fixtures.store(1, 1, 1);
    RaftMachine m = machine(plain(), N1, ids(3), store, new HardState(2, null, 1));
    // when the leader of term 2 overwrites 2.. and says everything up to 4 is committed
    m.step(append(N2, 2, 1, 1, 4, entry(2, 2), entry(2, 3), entry(2, 4)));
    Ready rd = m.ready();
    // then the hint saved with this Ready does not cover the stale 2..3 (their truncation is not
    // yet synced)
    assertThat(rd.entriesToPersist()).extracting(LogEntry::index).containsExactly(2L, 3L, 4L);
    assertThat(rd.hardState() == null ? 1 : rd.hardState().commitIndex()).isEqualTo(1);
    Fixtures.persistOnly(m, rd);
    m.advance(rd);
  }

  @Test
  void restartHandsOutCommittedEntriesAgainAndCommitResumesFromHardState() {
    // given a 3-member cluster that committed 4 entries
    Network net = Network.of(3, plain());
    net.campaign(N1);
    net.machine(N1).propose(List.of(new byte[] {1}, new byte[] {2}, new byte[] {3}));
    net.deliverAll();
    net.tickAll(1);
    Node n2 = net.node(N2);
    assertThat(n2.hardState.commitIndex()).isEqualTo(4);
    // when N2 restarts from its durable state
    n2.restart();
    assertThat(n2.machine.commitIndex()).isEqualTo(4);
    assertThat(n2.machine.term()).isEqualTo(1);
    net.deliverAll();
    // then it hands out every committed entry after the snapshot index (0) again, once
    assertThat(n2.applied).extracting(LogEntry::index).containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void readiesPipelineEachEntryIsPersistedOnceAndTheyAreAdvancedInOrder() {
    RaftMachine m = machine(plain(), N1, ids(3), new InMemoryLogStore(), HardState.EMPTY);
    m.step(append(N2, 1, 0, 0, 0, entry(1, 1)));
    Ready first = m.ready();
    assertThat(m.hasReady()).as("nothing new while the first write is in flight").isFalse();
    // the owner keeps stepping while the first write is in flight
    m.step(append(N2, 1, 1, 1, 0, entry(1, 2)));
    assertThat(m.hasReady()).isTrue();
    Ready second = m.ready();
    assertThat(m.readiesInFlight()).isEqualTo(2);
    assertThat(first.entriesToPersist()).extracting(LogEntry::index).containsExactly(1L);
    assertThat(second.entriesToPersist()).extracting(LogEntry::index).containsExactly(2L);
    // the second Ready's acknowledgement covers entry 1 too: it may only leave after the first
    assertThat(ofType(second.messagesAfterPersist())).extracting(r -> r.matchIndex())
        .containsExactly(2L);
    Fixtures.persistOnly(m, first);
    Fixtures.persistOnly(m, second);
    assertThatThrownBy(() -> m.advance(second))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("oldest");
    m.advance(first);
    m.advance(second);
    assertThat(m.readiesInFlight()).isZero();
    assertThat(m.hardState().commitIndex()).isZero();
    assertThat(m.hasReady()).isFalse();
  }

  @Test
  void anInFlightEntryReplacedByANewLeaderIsWrittenAgainAndItsStaleAckIgnored_5_3() {
    // given a follower writing entries 1..2 of term 1
    RaftMachine m = machine(plain(), N1, ids(3), new InMemoryLogStore(), HardState.EMPTY);
    m.step(append(N2, 1, 0, 0, 0, entry(1, 1), entry(1, 2)));
    Ready old = m.ready();
    // when, before that write is durable, the leader of term 2 replaces entry 2 and commits it
    m.step(append(N3, 2, 1, 1, 2, entry(2, 2)));
    Ready replacing = m.ready();
    // then the replacement is handed out to be written (again at index 2)
    assertThat(replacing.entriesToPersist()).containsExactly(entry(2, 2));
    Fixtures.persistOnly(m, old);
    m.advance(old);
    // and the acknowledgement of the old write does not make the new entry 2 durable: nothing
    // is applicable or counted as durable until the replacing write is
    assertThat(m.hardState().commitIndex()).isZero();
    assertThat(m.hasReady()).isFalse();
    Fixtures.persistOnly(m, replacing);
    m.advance(replacing);
    assertThat(Fixtures.drainApplied(m)).containsExactly(entry(1, 1), entry(2, 2));
  }

  private static List<io.graft.raft.message.AppendEntriesResponse> ofType(
      List<io.graft.raft.message.Envelope> envelopes) {
    return envelopes.stream()
        .map(io.graft.raft.message.Envelope::message)
        .filter(io.graft.raft.message.AppendEntriesResponse.class::isInstance)
        .map(io.graft.raft.message.AppendEntriesResponse.class::cast)
        .toList();
  }

  @Test
  void leaderSendsAppendsNowAndFollowerRepliesAfterPersist_10_2_1() {
    Network net = Network.of(3, plain());
    net.campaign(N1);
    net.machine(N1).propose(List.of(new byte[] {1}));
    Ready leaderReady = net.node(N1).machine.ready();
    assertThat(leaderReady.messagesNow())
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.message()).isInstanceOf(AppendEntries.class));
    assertThat(leaderReady.messagesAfterPersist()).isEmpty();
    Fixtures.persistOnlyTo(net.node(N1).store, leaderReady);
    net.machine(N1).advance(leaderReady);
    net.machine(N2).step(leaderReady.messagesNow().get(0).message());
    Ready followerReady = net.machine(N2).ready();
    assertThat(followerReady.messagesNow()).isEmpty();
    assertThat(followerReady.messagesAfterPersist()).hasSize(1);
    assertThat(followerReady.entriesToPersist()).hasSize(1);
    assertThat(followerReady.mustSync()).isTrue();
  }

  @Test
  void statusOnLeaderHasMatchAndContactPerMember() {
    Network net = Network.of(3, plain());
    net.campaign(N1);
    net.isolate(N3);
    net.machine(N1).propose(List.of(new byte[] {1}));
    net.tickAll(3);
    RaftStatus status = net.machine(N1).status(2, 100);
    assertThat(status.isLeader()).isTrue();
    assertThat(status.commitIndex()).isEqualTo(2);
    assertThat(status.appliedIndex()).isEqualTo(2);
    assertThat(status.members()).hasSize(3);
    RaftStatus.MemberStatus n2 = status.members().get(1);
    RaftStatus.MemberStatus n3 = status.members().get(2);
    assertThat(n2.id()).isEqualTo(N2);
    assertThat(n2.matchIndex()).isEqualTo(2);
    assertThat(n2.lastContactMillis()).isBetween(0L, 100L);
    assertThat(n3.matchIndex()).isEqualTo(1);
    assertThat(n3.lastContactMillis()).isGreaterThanOrEqualTo(300L);
    RaftStatus follower = net.machine(N2).status(2, 100);
    assertThat(follower.leader()).isEqualTo(N1);
    assertThat(follower.members()).allSatisfy(r -> assertThat(r.matchIndex()).isEqualTo(-1));
    assertThat(follower.members().get(0).role()).isEqualTo(Role.LEADER);
  }
}
