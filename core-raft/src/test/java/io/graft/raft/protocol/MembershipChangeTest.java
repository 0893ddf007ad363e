package io.graft.raft.protocol;

import static io.graft.raft.protocol.Fixtures.ELECTION;
import static io.graft.raft.protocol.Fixtures.N1;
import static io.graft.raft.protocol.Fixtures.N2;
import static io.graft.raft.protocol.Fixtures.N3;
import static io.graft.raft.protocol.Fixtures.N4;
import static io.graft.raft.protocol.Fixtures.N5;
import static io.graft.raft.protocol.Fixtures.ids;
import static io.graft.raft.protocol.Fixtures.plain;
import static io.graft.raft.protocol.Fixtures.withPreVoteAndCheckQuorum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.MembershipChangeException;
import io.graft.raft.api.MembershipChangeException.Reason;
import io.graft.raft.api.RaftStatus;
import io.graft.raft.api.Role;
import io.graft.raft.message.AppendEntriesResponse;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.LogEntry;
import io.graft.raft.message.RequestVote;
import io.graft.raft.protocol.membership.ChangeOutcome;
import io.graft.raft.protocol.membership.Configuration;
import io.graft.raft.protocol.membership.ConfigurationCodec;
import io.graft.raft.storage.memory.InMemoryLogStore;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Single-server membership changes (thesis §4.1), catch-up of new servers (§4.2.1), removing the
 * leader (§4.2.2) and disruptive removed servers (§4.2.3), on the deterministic test network.
 */
class MembershipChangeTest {

  private static Network leaderN1(RaftConfig config) {
    Network net = Network.of(3, config);
    net.campaign(N1);
    assertThat(net.machine(N1).role()).isEqualTo(Role.LEADER);
    return net;
  }

  private static Node joining(Network net, MemberId id, RaftConfig config) {
    Node n = new Node(id, config, Set.of(), new InMemoryLogStore(), HardState.EMPTY, 99);
    net.add(n);
    return n;
  }

  private static LogEntry configEntry(long term, long index, Configuration c) {
    return new LogEntry(term, index, EntryType.CONFIGURATION, ConfigurationCodec.encode(c));
  }

  @Test
  void addJoinsAsLearnerThenIsPromotedAfterCatchUp_4_1_and_4_2_1() {
    Network net = leaderN1(plain());
    RaftMachine leader = net.machine(N1);
    leader.propose(List.of(new byte[] {1}, new byte[] {2}));
    net.deliverAll();
    Node n4 = joining(net, N4, plain());
    assertThat(n4.machine.configuration()).isEqualTo(Configuration.EMPTY);

    leader.addMember(7, N4);
    assertThat(leader.configuration().isLearner(N4)).isTrue();
    net.deliverAll();

    List<ChangeOutcome> outcomes = leader.takeChangeOutcomes();
    assertThat(outcomes).hasSize(1);
    assertThat(outcomes.get(0).requestId()).isEqualTo(7);
    assertThat(outcomes.get(0).membership().voters()).containsExactlyInAnyOrder(N1, N2, N3, N4);
    for (Node n : net.nodes.values()) {
      assertThat(n.machine.configuration().voters()).as(n.id.toString()).contains(N4);
      assertThat(n.store.lastIndex()).isEqualTo(leader.lastIndex());
    }
    // Two configuration entries: learner first, then the promotion.
    long configEntries =
        n4.store.entries(1, n4.store.lastIndex() + 1, Long.MAX_VALUE).stream()
            .filter(e -> e.type() == EntryType.CONFIGURATION)
            .count();
    assertThat(configEntries).isEqualTo(2);
    assertThat(leader.membershipChangeInProgress()).isFalse();
  }

  @Test
  void learnerNeverCampaignsAndDoesNotCountForCommit_4_2_1() {
    Network net = leaderN1(plain());
    RaftMachine leader = net.machine(N1);
    Node n4 = joining(net, N4, plain());
    // Make N4 a learner only: the promotion needs the learner entry committed, which needs N2/N3.
    net.cut(N1, N2);
    net.cut(N1, N3);
    leader.addMember(1, N4);
    net.deliverAll();
    assertThat(n4.machine.configuration().isLearner(N4)).isTrue();
    assertThat(leader.progress(N4).matchIndex()).isEqualTo(leader.lastIndex());
    long commit = leader.commitIndex();
    assertThat(commit).isLessThan(leader.lastIndex()); // one voter + the learner is no majority
    for (int i = 0; i < 5 * ELECTION; i++) {
      n4.machine.tick();
    }
    assertThat(n4.machine.role()).isEqualTo(Role.FOLLOWER);
    assertThat(n4.machine.term()).isEqualTo(leader.term());
    assertThat(n4.machine.status(0, 1).role()).isEqualTo(Role.LEARNER);
  }

  @Test
  void joiningMemberWithEmptyConfigurationNeverCampaigns_4_2_1() {
    Network net = Network.of(3, plain());
    Node n4 = joining(net, N4, plain());
    for (int i = 0; i < 5 * ELECTION; i++) {
      n4.machine.tick();
      net.deliverAll();
    }
    assertThat(n4.machine.role()).isEqualTo(Role.FOLLOWER);
    assertThat(n4.machine.term()).isZero();
  }

  @Test
  void secondChangeIsRefusedWhileTheFirstIsUncommitted_4_1() {
    Network net = leaderN1(plain());
    RaftMachine leader = net.machine(N1);
    joining(net, N4, plain());
    net.cut(N1, N2);
    net.cut(N1, N3);
    leader.addMember(1, N4);
    net.deliverAll();
    assertThatThrownBy(() -> leader.addMember(2, N5))
        .isInstanceOfSatisfying(
            MembershipChangeException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.CHANGE_IN_PROGRESS))
        .hasMessageContaining("add n4");
    assertThatThrownBy(() -> leader.removeMember(3, N2))
        .isInstanceOfSatisfying(
            MembershipChangeException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.CHANGE_IN_PROGRESS));
    assertThatThrownBy(() -> leader.transferLeadership(N2))
        .isInstanceOfSatisfying(
            MembershipChangeException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.CHANGE_IN_PROGRESS));
  }

  @Test
  void newLeaderMustCommitAnEntryOfItsTermBeforeTheFirstChange_4_1_fix() {
    Network net = Network.of(3, plain());
    net.dropWhen(e -> e.message() instanceof AppendEntriesResponse);
    net.campaign(N1);
    RaftMachine leader = net.machine(N1);
    assertThat(leader.role()).isEqualTo(Role.LEADER);
    assertThat(leader.commitIndex()).isZero();
    assertThatThrownBy(() -> leader.removeMember(1, N3))
        .isInstanceOfSatisfying(
            MembershipChangeException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.CHANGE_IN_PROGRESS))
        .hasMessageContaining("§4.1");
  }

  @Test
  void followerUsesLatestConfigurationInItsLogAndRevertsWhenItIsTruncated_4_1() {
    RaftMachine f =
        Fixtures.machine(plain(), N2, ids(3), new InMemoryLogStore(), HardState.EMPTY);
    Configuration withLearner = Configuration.ofVoters(ids(3)).withLearner(N4);
    f.step(Fixtures.append(N1, 1, 0, 0, 0, Fixtures.entry(1, 1), configEntry(1, 2, withLearner)));
    Fixtures.drain(f);
    assertThat(f.configuration()).isEqualTo(withLearner); // used at once, not yet committed
    assertThat(f.membership().index()).isEqualTo(2);
    // A new leader of term 2 overwrites index 2: the configuration entry is gone, so is N4.
    f.step(Fixtures.append(N3, 2, 1, 1, 1, Fixtures.entry(2, 2)));
    Fixtures.drain(f);
    assertThat(f.configuration()).isEqualTo(Configuration.ofVoters(ids(3)));
    assertThat(f.membership().index()).isZero();
  }

  @Test
  void configurationSurvivesRestart() {
    Network net = leaderN1(plain());
    joining(net, N4, plain());
    net.machine(N1).addMember(1, N4);
    net.deliverAll();
    Node n2 = net.node(N2);
    Configuration before = n2.machine.configuration();
    n2.restart();
    assertThat(n2.machine.configuration()).isEqualTo(before);
    assertThat(before.voters()).contains(N4);
    Node n4 = net.node(N4);
    n4.restart();
    assertThat(n4.machine.configuration().isVoter(N4)).isTrue();
  }

  @Test
  void removedFollowerIsNoLongerReplicatedToAndCannotDisruptTheLeader_4_2_3() {
    Network net = leaderN1(plain()); // no PreVote, no CheckQuorum: only the lease rule protects
    RaftMachine leader = net.machine(N1);
    leader.removeMember(5, N3);
    net.deliverAll();
    assertThat(leader.takeChangeOutcomes()).singleElement().matches(ChangeOutcome::succeeded);
    assertThat(leader.configuration().voters()).containsExactly(N1, N2);
    long term = leader.term();
    // N3 never saw its removal; it times out and campaigns with a higher term.
    RaftMachine n3 = net.machine(N3);
    net.isolate(N3);
    for (int i = 0; i < 3 * ELECTION; i++) {
      n3.tick();
    }
    net.heal();
    RequestVote disruptive =
        new RequestVote(N3, n3.term() + 1, n3.lastIndex(), n3.log.lastTerm(), false, false);
    net.step(N1, disruptive);
    net.step(N2, disruptive);
    assertThat(leader.role()).isEqualTo(Role.LEADER);
    assertThat(leader.term()).isEqualTo(term);
    leader.propose(List.of(new byte[] {9}));
    net.deliverAll();
    assertThat(leader.commitIndex()).isEqualTo(leader.lastIndex());
  }

  @Test
  void removedLeaderKeepsLeadingWithoutCountingItselfThenStepsDownForGood_4_2_2() {
    Network net = leaderN1(withPreVoteAndCheckQuorum());
    RaftMachine leader = net.machine(N1);
    net.cut(N1, N3);
    leader.removeMember(1, N1);
    net.deliverAll();
    // C_new = {N2, N3}: N2's acknowledgement plus the leader's own copy is not a majority of it.
    assertThat(leader.role()).isEqualTo(Role.LEADER);
    assertThat(leader.commitIndex()).isLessThan(leader.lastIndex());
    assertThat(leader.takeChangeOutcomes()).isEmpty();
    assertThat(leader.propose(List.of(new byte[] {1}))).isPositive(); // still leading
    net.heal();
    net.tickAll(1); // a heartbeat round reaches N3, which then catches up
    net.deliverAll();
    assertThat(leader.takeChangeOutcomes()).singleElement().matches(ChangeOutcome::succeeded);
    assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
    // The handover by TimeoutNow elected one of the remaining voters without waiting.
    long leaders =
        net.nodes.values().stream().filter(n -> n.machine.role() == Role.LEADER).count();
    assertThat(leaders)
        .as(
            () ->
                net.nodes.values().stream()
                    .map(n -> n.id + ":" + n.machine.role() + "/t" + n.machine.term())
                    .toList()
                    .toString())
        .isEqualTo(1);
    assertThat(net.machine(N1).configuration().isVoter(N1)).isFalse();
    long removedTerm = leader.term();
    long clusterTerm = Math.max(net.machine(N2).term(), net.machine(N3).term());
    net.tickAll(10 * ELECTION);
    // The removed leader never campaigns (not promotable), and nobody had to elect again.
    assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
    assertThat(leader.term()).isEqualTo(removedTerm);
    assertThat(Math.max(net.machine(N2).term(), net.machine(N3).term())).isEqualTo(clusterTerm);
  }

  @Test
  void theLastVoterCannotBeRemoved() {
    Network net = Network.of(1, plain());
    net.campaign(Fixtures.id(1));
    RaftMachine single = net.machine(Fixtures.id(1));
    assertThatThrownBy(() -> single.removeMember(1, Fixtures.id(1)))
        .isInstanceOfSatisfying(
            MembershipChangeException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.WOULD_BREAK_QUORUM))
        .hasMessageContaining("last voter");
    // Also when a learner remains (found by the simulation: {n1} + learner must not become {}).
    single.addMember(1, N4);
    assertThat(single.configuration().isLearner(N4)).isTrue();
    assertThatThrownBy(() -> single.removeMember(2, Fixtures.id(1)))
        .isInstanceOfSatisfying(
            MembershipChangeException.class,
            e -> assertThat(e.reason()).isIn(Reason.WOULD_BREAK_QUORUM, Reason.CHANGE_IN_PROGRESS));
    net.tickAll(4 * ELECTION); // N4 does not exist: the catch-up gives up and removes it again
    net.deliverAll();
    assertThat(single.takeChangeOutcomes()).singleElement().satisfies(o ->
        assertThat(o.error().reason()).isEqualTo(Reason.UNREACHABLE));
    assertThat(single.membershipChangeInProgress()).isFalse();
  }

  @Test
  void theLastVoterCannotBeRemovedWhileALearnerRemains() {
    Configuration withLearner = Configuration.ofVoters(Set.of(N1)).withLearner(N4);
    InMemoryLogStore log = Fixtures.store(1);
    log.append(List.of(configEntry(1, 2, withLearner)));
    Network net = new Network();
    net.add(new Node(N1, plain(), Set.of(N1), log, new HardState(1, N1, 2), 5));
    net.campaign(N1);
    RaftMachine leader = net.machine(N1);
    assertThat(leader.role()).isEqualTo(Role.LEADER);
    assertThat(leader.commitIndex()).isEqualTo(leader.lastIndex());
    assertThatThrownBy(() -> leader.removeMember(1, N1))
        .isInstanceOfSatisfying(
            MembershipChangeException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.WOULD_BREAK_QUORUM))
        .hasMessageContaining("last voter");
  }

  @Test
  void removalThatLeavesNoLiveMajorityIsRefused() {
    Network net = leaderN1(plain());
    RaftMachine leader = net.machine(N1);
    net.isolate(N3);
    for (int i = 0; i < 2 * ELECTION; i++) {
      leader.tick();
      net.deliverAll();
    }
    // Remaining {N1, N3}: N3 silent for two election timeouts, so only 1 of the 2 is live.
    assertThatThrownBy(() -> leader.removeMember(1, N2))
        .isInstanceOfSatisfying(
            MembershipChangeException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.WOULD_BREAK_QUORUM))
        .hasMessageContaining("silent: [n3]");
    leader.removeMember(2, N3); // remaining {N1, N2}, both live: fine
  }

  @Test
  void unknownAndDuplicateMembersAreRefused() {
    Network net = leaderN1(plain());
    RaftMachine leader = net.machine(N1);
    assertThatThrownBy(() -> leader.removeMember(1, N5))
        .isInstanceOfSatisfying(
            MembershipChangeException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_MEMBER));
    assertThatThrownBy(() -> leader.addMember(1, N2))
        .isInstanceOfSatisfying(
            MembershipChangeException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.ALREADY_MEMBER));
    assertThatThrownBy(() -> net.machine(N2).addMember(1, N5))
        .isInstanceOfSatisfying(
            MembershipChangeException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.NOT_LEADER);
              assertThat(e.leaderHint()).isEqualTo(N1);
            });
  }

  @Test
  void unreachableNewServerIsGivenUpAndRemovedWhileTheClusterKeepsCommitting_4_2_1() {
    Network net = leaderN1(plain());
    RaftMachine leader = net.machine(N1);
    MemberId ghost = MemberId.of("ghost");
    leader.addMember(3, ghost);
    net.deliverAll();
    List<ChangeOutcome> outcomes = List.of();
    int ticks = 0;
    while (outcomes.isEmpty() && ticks++ < 10 * ELECTION) {
      net.tickAll(1);
      leader.propose(List.of(new byte[] {(byte) ticks}));
      net.deliverAll();
      assertThat(leader.commitIndex()).isEqualTo(leader.lastIndex()); // never blocked
      outcomes = leader.takeChangeOutcomes();
    }
    assertThat(outcomes).singleElement().satisfies(o -> {
      assertThat(o.error().reason()).isEqualTo(Reason.UNREACHABLE);
      assertThat(o.error()).hasMessageContaining("ghost");
    });
    assertThat(ticks).isGreaterThan(3 * ELECTION).isLessThanOrEqualTo(3 * ELECTION + 2);
    net.deliverAll();
    assertThat(leader.configuration()).isEqualTo(Configuration.ofVoters(ids(3)));
    assertThat(leader.membershipChangeInProgress()).isFalse();
    leader.addMember(4, N4); // the next change is accepted
  }

  @Test
  void statusShowsLearnersVotingFlagMatchAndLag() {
    Network net = leaderN1(plain());
    RaftMachine leader = net.machine(N1);
    joining(net, N4, plain());
    net.cut(N1, N2);
    net.cut(N1, N3);
    leader.addMember(1, N4);
    net.deliverAll();
    net.cut(N1, N4);
    leader.propose(List.of(new byte[] {1}, new byte[] {2}));
    RaftStatus s = leader.status(0, 100);
    assertThat(s.members()).extracting(RaftStatus.MemberStatus::id).containsExactly(N1, N2, N3, N4);
    RaftStatus.MemberStatus n4 = s.member(N4);
    assertThat(n4.role()).isEqualTo(Role.LEARNER);
    assertThat(n4.voting()).isFalse();
    assertThat(n4.lag()).isEqualTo(2);
    assertThat(n4.matchIndex()).isEqualTo(leader.lastIndex() - 2);
    assertThat(s.member(N1).lag()).isEqualTo(2); // its own two new entries are not durable yet
    assertThat(s.member(N2).voting()).isTrue();
  }

  @Test
  void transferToLearnerOrStrangerIsInvalid_3_10() {
    Network net = leaderN1(plain());
    RaftMachine leader = net.machine(N1);
    assertThatThrownBy(() -> leader.transferLeadership(N5))
        .isInstanceOfSatisfying(
            MembershipChangeException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_TARGET));
    joining(net, N4, plain());
    net.cut(N1, N2);
    net.cut(N1, N3);
    leader.addMember(1, N4);
    net.deliverAll();
    assertThatThrownBy(() -> leader.transferLeadership(N4))
        .isInstanceOfSatisfying(
            MembershipChangeException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_TARGET))
        .hasMessageContaining("learner");
  }

  @Test
  void changesAreRefusedDuringATransfer_3_10() {
    Network net = leaderN1(plain());
    RaftMachine leader = net.machine(N1);
    net.isolate(N3);
    leader.transferLeadership(N3);
    assertThatThrownBy(() -> leader.removeMember(1, N2))
        .isInstanceOfSatisfying(
            MembershipChangeException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.CHANGE_IN_PROGRESS))
        .hasMessageContaining("transfer");
  }

  /**
   * Builds the state a leader crash leaves behind half-way through an add: the learner entry for
   * N4 is committed on N1..N3, but N1 could not reach N4, so no promotion was appended; then N1 is
   * cut off and N2 takes over.
   */
  private static Network learnerLeftByADeposedLeader(boolean n4Reachable) {
    Network net = leaderN1(plain());
    RaftMachine n1 = net.machine(N1);
    joining(net, N4, plain());
    net.cut(N1, N4);
    n1.addMember(7, N4);
    net.deliverAll();
    assertThat(net.machine(N2).configuration().isLearner(N4)).isTrue();
    assertThat(n1.commitIndex()).isEqualTo(n1.lastIndex()); // the learner entry committed
    net.isolate(N1);
    if (!n4Reachable) {
      net.cut(N2, N4);
      net.cut(N3, N4);
    }
    net.campaign(N2);
    assertThat(net.machine(N2).role()).isEqualTo(Role.LEADER);
    return net;
  }

  @Test
  void aNewLeaderFinishesAnAddItsPredecessorLeftHalfDone_4_2_1() {
    Network net = learnerLeftByADeposedLeader(true);
    RaftMachine n2 = net.machine(N2);
    // Nobody calls addMember on N2: committing its no-op, it resumes the catch-up and promotes.
    net.tickAll(1);
    assertThat(n2.configuration().voters()).containsExactlyInAnyOrder(N1, N2, N3, N4);
    assertThat(n2.configuration().learners()).isEmpty();
    assertThat(n2.commitIndex()).isEqualTo(n2.lastIndex());
    assertThat(net.machine(N4).configuration().isVoter(N4)).isTrue();
    assertThat(n2.membershipChangeInProgress()).isFalse();
    assertThat(n2.takeChangeOutcomes()).singleElement().satisfies(o -> {
      assertThat(o.requestId()).isEqualTo(MembershipStep.RESUMED);
      assertThat(o.succeeded()).isTrue();
    });
  }

  @Test
  void aNewLeaderRemovesALearnerItsPredecessorLeftThatCannotCatchUp_4_2_1() {
    Network net = learnerLeftByADeposedLeader(false);
    RaftMachine n2 = net.machine(N2);
    int ticks = 0;
    while (!n2.configuration().learners().isEmpty() && ticks++ < 10 * ELECTION) {
      net.tickAll(1);
      n2.propose(List.of(new byte[] {(byte) ticks}));
      net.deliverAll();
    }
    assertThat(n2.configuration()).isEqualTo(Configuration.ofVoters(ids(3)));
    assertThat(n2.commitIndex()).isEqualTo(n2.lastIndex());
    assertThat(ticks).isGreaterThan(3 * ELECTION).isLessThanOrEqualTo(3 * ELECTION + 2);
    assertThat(n2.membershipChangeInProgress()).isFalse();
    n2.addMember(8, N5); // the cluster is free for the next change
  }

  @Test
  void aCallerAskingForTheResumedAddWaitsForIt() {
    Network net = learnerLeftByADeposedLeader(false);
    RaftMachine n2 = net.machine(N2);
    net.tickAll(1);
    assertThat(n2.membershipChangeInProgress()).isTrue(); // resumed, N4 still unreachable
    n2.addMember(9, N4); // adopts the resumed change instead of CHANGE_IN_PROGRESS
    net.heal();
    net.isolate(N1);
    net.tickAll(1);
    assertThat(n2.takeChangeOutcomes()).singleElement().satisfies(o -> {
      assertThat(o.requestId()).isEqualTo(9);
      assertThat(o.membership().voters()).contains(N4);
    });
  }

  @Test
  void leaderLostDuringAChangeReportsAnUnknownOutcome() {
    Network net = leaderN1(plain());
    RaftMachine leader = net.machine(N1);
    net.isolate(N1);
    leader.removeMember(1, N3);
    net.step(N1, Fixtures.heartbeat(N2, leader.term() + 1, 0));
    assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
    assertThat(leader.takeChangeOutcomes()).singleElement().satisfies(o ->
        assertThat(o.error().reason()).isEqualTo(Reason.TIMED_OUT));
  }

  @Test
  void voterBeingRemovedByAnUncommittedEntryMayStillCampaignButNotOnceItCommitted_4_2_2() {
    Configuration without = Configuration.ofVoters(Set.of(N2, N3));
    InMemoryLogStore uncommitted = Fixtures.store(1);
    uncommitted.append(List.of(configEntry(1, 2, without)));
    RaftMachine pending =
        Fixtures.machine(plain(), N1, ids(3), uncommitted, new HardState(1, N1, 1));
    assertThat(pending.configuration()).isEqualTo(without);
    for (int i = 0; i < 2 * ELECTION && pending.role() == Role.FOLLOWER; i++) {
      pending.tick();
    }
    // It may hold the only up-to-date log: without it N2 and N3 could never elect anyone.
    assertThat(pending.role()).isEqualTo(Role.CANDIDATE);

    InMemoryLogStore committed = Fixtures.store(1);
    committed.append(List.of(configEntry(1, 2, without)));
    RaftMachine removed =
        Fixtures.machine(plain(), N1, ids(3), committed, new HardState(1, N1, 2));
    for (int i = 0; i < 5 * ELECTION; i++) {
      removed.tick();
    }
    assertThat(removed.role()).isEqualTo(Role.FOLLOWER);
    assertThat(removed.term()).isEqualTo(1);
  }

  @Test
  void candidateBeingRemovedWinsWithTheNewMajorityCommitsAndStepsDown_4_2_2() {
    Network net = leaderN1(plain());
    RaftMachine n1 = net.machine(N1);
    net.cut(N1, N3);
    n1.removeMember(1, N1); // C_new = {N2, N3}: appended on N1 and N2, not committed
    net.deliverAll();
    long configIndex = n1.membership().index();
    assertThat(n1.commitIndex()).isLessThan(configIndex);
    // N1 loses leadership: a newer term reaches it; nobody leads.
    net.step(N1, Fixtures.heartbeat(N3, n1.term() + 1, 0));
    net.heal();
    assertThat(n1.role()).isEqualTo(Role.FOLLOWER);
    // Whoever is elected, the cluster converges: C_new commits and N1 ends up outside it.
    net.tickAll(6 * ELECTION);
    long leaders =
        net.nodes.values().stream().filter(n -> n.machine.role() == Role.LEADER).count();
    assertThat(leaders).isEqualTo(1);
    RaftMachine leader =
        net.nodes.values().stream()
            .map(n -> n.machine)
            .filter(m -> m.role() == Role.LEADER)
            .findFirst()
            .get();
    assertThat(leader.self()).isNotEqualTo(N1);
    assertThat(leader.commitIndex()).isGreaterThanOrEqualTo(configIndex);
    assertThat(leader.configuration().voters()).containsExactly(N2, N3);
  }
}
