package io.graft.raft.protocol;

import static io.graft.raft.protocol.Fixtures.N1;
import static io.graft.raft.protocol.Fixtures.N2;
import static io.graft.raft.protocol.Fixtures.N3;
import static io.graft.raft.protocol.Fixtures.ack;
import static io.graft.raft.protocol.Fixtures.drain;
import static io.graft.raft.protocol.Fixtures.ids;
import static io.graft.raft.protocol.Fixtures.machine;
import static io.graft.raft.protocol.Fixtures.plain;
import static io.graft.raft.protocol.Fixtures.store;
import static org.assertj.core.api.Assertions.assertThat;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Role;
import io.graft.raft.message.AppendEntries;
import io.graft.raft.message.AppendEntriesResponse;
import io.graft.raft.message.CommitNotice;
import io.graft.raft.message.Envelope;
import io.graft.raft.message.HeartbeatResponse;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.storage.memory.InMemoryLogStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fewer messages per write: once the commit index moves, a caught-up follower gets a one-way
 * CommitNotice (capped at its match index, like a heartbeat's commit) instead of an empty
 * AppendEntries that it would have to acknowledge; it commits and answers nothing. A follower
 * whose acknowledgement arrives after the commit moved gets its notice then; a stale notice is
 * answered so the old leader learns the newer term.
 */
class CommitNoticeTest {

  private static List<RaftMessage> sent(Ready rd) {
    return java.util.stream.Stream.concat(
            rd.messagesNow().stream(), rd.messagesAfterPersist().stream())
        .map(Envelope::message)
        .toList();
  }

  @Test
  void aCaughtUpFollowerGetsAOneWayNoticeNotAnEmptyAppendToAcknowledge() {
    Network net = Network.of(3, plain());
    net.campaign(N1);
    net.machine(N1).propose(List.of(new byte[] {1}));
    net.resetCounts();
    net.deliverAll();
    // per write: 2 appends, 2 acknowledgements, 2 notices; no empty appends, no answers to them
    assertThat(net.count(AppendEntries.class)).isEqualTo(2);
    assertThat(net.count(AppendEntriesResponse.class)).isEqualTo(2);
    assertThat(net.count(CommitNotice.class)).isEqualTo(2);
    for (MemberId id : List.of(N1, N2, N3)) {
      assertThat(net.machine(id).commitIndex()).as("%s commit", id).isEqualTo(2);
    }
  }

  @Test
  void theNoticeIsCappedAtTheMatchIndexAndALateAcknowledgementGetsItsOwn() {
    // given a leader of term 1 whose followers hold its no-op (1) and got entry 2
    RaftMachine m = Fixtures.leader(3, new InMemoryLogStore(), 1);
    m.step(ack(N2, 1, 1));
    m.step(ack(N3, 1, 1));
    drain(m);
    m.propose(Fixtures.payloads("x"));
    drain(m);
    // when N2 acknowledges 2 (commit moves to 2) before N3 does
    m.step(ack(N2, 1, 2));
    Ready rd = drain(m);
    // then N2 may commit 2; N3 (match 1, told 1 already) gets nothing yet
    assertThat(m.commitIndex()).isEqualTo(2);
    assertThat(rd.messagesNow()).containsExactly(new Envelope(N2, new CommitNotice(N1, 1, 2)));
    // when N3's acknowledgement arrives, it gets its notice
    m.step(ack(N3, 1, 2));
    assertThat(drain(m).messagesNow())
        .containsExactly(new Envelope(N3, new CommitNotice(N1, 1, 2)));
    // and a duplicate acknowledgement brings nothing new
    m.step(ack(N3, 1, 2));
    assertThat(m.hasReady()).isFalse();
  }

  @Test
  void aFollowerCommitsOnANoticeAndAnswersNothing() {
    RaftMachine f = machine(plain(), N2, ids(3), store(1, 1, 1), new HardState(1, null, 1));
    f.step(new CommitNotice(N1, 1, 3));
    Ready rd = drain(f);
    assertThat(f.commitIndex()).isEqualTo(3);
    assertThat(f.leader()).isEqualTo(N1);
    assertThat(sent(rd)).isEmpty();
    // never past its own log
    f.step(new CommitNotice(N1, 1, 9));
    assertThat(f.commitIndex()).isEqualTo(3);
  }

  @Test
  void aStaleNoticeIsAnsweredSoTheOldLeaderStepsDown() {
    RaftMachine f = machine(plain(), N2, ids(3), store(1, 1), new HardState(2, null, 0));
    f.step(new CommitNotice(N1, 1, 2));
    Ready rd = drain(f);
    assertThat(f.commitIndex()).isZero();
    assertThat(sent(rd)).containsExactly(new HeartbeatResponse(N2, 2, 0, 2));
    RaftMachine old = Fixtures.leader(3, new InMemoryLogStore(), 1);
    old.step(new HeartbeatResponse(N2, 2, 0, 2));
    assertThat(old.role()).isEqualTo(Role.FOLLOWER);
    assertThat(old.term()).isEqualTo(2);
  }
}
