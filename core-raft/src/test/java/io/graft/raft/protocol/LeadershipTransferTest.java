package io.graft.raft.protocol;

import static io.graft.raft.protocol.Fixtures.ELECTION;
import static io.graft.raft.protocol.Fixtures.N1;
import static io.graft.raft.protocol.Fixtures.N2;
import static io.graft.raft.protocol.Fixtures.N3;
import static io.graft.raft.protocol.Fixtures.drain;
import static io.graft.raft.protocol.Fixtures.ids;
import static io.graft.raft.protocol.Fixtures.machine;
import static io.graft.raft.protocol.Fixtures.ofType;
import static io.graft.raft.protocol.Fixtures.withPreVoteAndCheckQuorum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.ProposalRejectedException;
import io.graft.raft.api.Role;
import io.graft.raft.message.RequestVote;
import io.graft.raft.message.TimeoutNow;
import io.graft.raft.storage.memory.InMemoryLogStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Leadership transfer (thesis §3.10): TimeoutNow starts a real election at once (no PreVote) whose
 * RequestVotes carry {@code leadershipTransfer} so that followers in a leader lease still vote; the
 * leader catches the target up first, refuses proposals meanwhile and gives up after an election
 * timeout.
 */
class LeadershipTransferTest {

  @Test
  void timeoutNowStartsRealElectionAtOnceSkippingPreVote_3_10() {
    RaftMachine m =
        machine(withPreVoteAndCheckQuorum(), N2, ids(3), new InMemoryLogStore(), HardState.EMPTY);
    m.step(Fixtures.append(N1, 1, 0, 0, 0));
    drain(m);
    m.step(new TimeoutNow(N1, 1));
    Ready rd = drain(m);
    assertThat(m.role()).isEqualTo(Role.CANDIDATE);
    assertThat(m.term()).isEqualTo(2);
    assertThat(ofType(rd.messagesAfterPersist(), RequestVote.class))
        .allSatisfy(
            rv -> {
              assertThat(rv.preVote()).isFalse();
              assertThat(rv.leadershipTransfer()).isTrue();
            })
        .hasSize(2);
  }

  @Test
  void transferHandsLeadershipToUpToDateTarget_3_10() {
    Network net = Network.of(3, withPreVoteAndCheckQuorum());
    net.campaign(N1);
    net.machine(N1).propose(List.of(new byte[] {1}));
    net.deliverAll();
    net.machine(N1).transferLeadership(N2);
    net.deliverAll();
    assertThat(net.machine(N2).role()).isEqualTo(Role.LEADER);
    assertThat(net.machine(N2).term()).isEqualTo(2);
    assertThat(net.machine(N1).role()).isEqualTo(Role.FOLLOWER);
    assertThat(net.machine(N1).leader()).isEqualTo(N2);
  }

  @Test
  void transferCatchesUpALaggingTargetFirst_3_10() {
    Network net = Network.of(3, withPreVoteAndCheckQuorum());
    net.campaign(N1);
    net.isolate(N3);
    net.machine(N1).propose(List.of(new byte[] {1}, new byte[] {2}));
    net.deliverAll();
    net.heal();
    net.machine(N1).transferLeadership(N3);
    net.deliverAll();
    assertThat(net.machine(N3).role()).isEqualTo(Role.LEADER);
    assertThat(net.machine(N3).lastIndex()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void proposalsAreRefusedDuringTransferAndTransferAbortsAfterElectionTimeout_3_10() {
    Network net = Network.of(3, withPreVoteAndCheckQuorum());
    net.campaign(N1);
    net.isolate(N3);
    RaftMachine leader = net.machine(N1);
    leader.transferLeadership(N3);
    assertThatThrownBy(() -> leader.propose(List.of(new byte[] {1})))
        .isInstanceOf(ProposalRejectedException.class)
        .hasMessageContaining("leadership transfer");
    for (int i = 0; i < ELECTION; i++) {
      leader.tick();
      net.deliverAll();
    }
    assertThat(leader.role()).isEqualTo(Role.LEADER);
    assertThat(leader.propose(List.of(new byte[] {1}))).isPositive();
  }
}
