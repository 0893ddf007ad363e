package io.graft.raft.protocol;

import static io.graft.raft.protocol.Fixtures.ELECTION;
import static io.graft.raft.protocol.Fixtures.N1;
import static io.graft.raft.protocol.Fixtures.N2;
import static io.graft.raft.protocol.Fixtures.N3;
import static io.graft.raft.protocol.Fixtures.N4;
import static io.graft.raft.protocol.Fixtures.ids;
import static io.graft.raft.protocol.Fixtures.ofType;
import static io.graft.raft.protocol.Fixtures.plain;
import static io.graft.raft.protocol.Fixtures.preVote;
import static io.graft.raft.protocol.Fixtures.vote;
import static io.graft.raft.protocol.Fixtures.withPreVoteAndCheckQuorum;
import static org.assertj.core.api.Assertions.assertThat;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Role;
import io.graft.raft.message.Envelope;
import io.graft.raft.message.RequestVote;
import io.graft.raft.message.RequestVoteResponse;
import io.graft.raft.storage.memory.InMemoryLogStore;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Disruptive servers (thesis §4.2.3): a server that no longer hears the leader (a removed member,
 * which the leader stops replicating to, or an isolated one) keeps timing out and campaigning with
 * ever higher terms. PreVote (§9.6) keeps a well-behaved one from bumping its term, but not a
 * removed member whose log never received its removal and that runs without PreVote (an older
 * build, another setting). The rule: a member that heard from a live leader within the election
 * timeout, and the leader itself while its CheckQuorum lease holds, neither adopts the term of nor
 * grants a (Pre)Vote request (it does not answer at all); except a request from a leadership
 * transfer (§3.10), and except on a follower whose runtime reported the leader's connection lost
 * (the fast election). Without CheckQuorum only requests from non-voters are ignored (etcd-io/raft
 * ties the whole rule to CheckQuorum: without it a leader that lost its majority never steps
 * down, and could refuse the votes that would replace it forever).
 */
class DisruptiveServerTest {

  /**
   * N1 leads {N1..N4}; N4 runs WITHOUT PreVote (a node that skips it) and is cut off before N1
   * removes it, so its log never holds its removal: it still believes it is a voter. The others
   * run PreVote and CheckQuorum, each optionally with the lease rule switched off.
   */
  private static Network clusterWithRemovedN4(boolean leaseRule) {
    Network net = new Network();
    Set<MemberId> voters = ids(4);
    for (MemberId id : voters) {
      RaftConfig config = id.equals(N4) ? plain() : withPreVoteAndCheckQuorum();
      net.add(new Node(id, config, voters, new InMemoryLogStore(), HardState.EMPTY, id.hashCode()));
      if (!leaseRule && !id.equals(N4)) {
        net.machine(id).mutation = Mutation.IGNORE_LEADER_LEASE;
      }
    }
    net.campaign(N1);
    assertThat(net.machine(N1).role()).isEqualTo(Role.LEADER);
    net.isolate(N4);
    net.machine(N1).removeMember(1, N4);
    net.deliverAll();
    assertThat(net.machine(N1).takeChangeOutcomes()).singleElement()
        .satisfies(o -> assertThat(o.succeeded()).isTrue());
    assertThat(net.machine(N1).configuration().voters()).containsExactly(N1, N2, N3);
    assertThat(net.machine(N4).configuration().voters()).as("N4 never learned").contains(N4);
    // N4 times out over and over while cut off: a real election each time, its term climbs.
    for (int t = 0; t < 3 * ELECTION; t++) {
      net.tickAll(1);
    }
    assertThat(net.machine(N4).term()).isGreaterThan(2);
    net.heal(); // its RequestVotes reach everyone again; the leader sends it nothing any more
    net.resetCounts();
    return net;
  }

  private static long votesFrom(Network net, MemberId from) {
    return net.delivered.stream()
        .filter(e -> e.message() instanceof RequestVote rv && rv.from().equals(from))
        .count();
  }

  @Test
  void aRemovedMemberCampaigningWithoutPreVoteDoesNotDeposeTheLeader_4_2_3() {
    Network net = clusterWithRemovedN4(true);
    long n4TermBefore = net.machine(N4).term();

    net.tickAll(20 * ELECTION);

    assertThat(votesFrom(net, N4)).as("N4's RequestVotes delivered").isGreaterThanOrEqualTo(10);
    assertThat(net.machine(N4).term()).as("N4 kept campaigning").isGreaterThan(n4TermBefore + 5);
    assertThat(net.machine(N1).role()).isEqualTo(Role.LEADER);
    for (MemberId id : List.of(N1, N2, N3)) {
      assertThat(net.machine(id).term()).as("%s term", id).isEqualTo(1);
      assertThat(net.machine(id).leader()).as("%s leader", id).isEqualTo(N1);
    }
    assertThat(net.count(RequestVoteResponse.class)).as("nobody even answers").isZero();
    // and the cluster keeps committing
    long index = net.machine(N1).propose(List.of(new byte[] {7}));
    net.deliverAll();
    assertThat(net.machine(N3).commitIndex()).isEqualTo(index);
  }

  /** The same run with the rule switched off: N4 deposes the leader again and again. */
  @Test
  void withoutTheRuleTheRemovedMemberDeposesTheLeader_contrast_4_2_3() {
    Network net = clusterWithRemovedN4(false);

    net.tickAll(20 * ELECTION);

    assertThat(net.machine(N1).term()).isGreaterThan(5);
    long electionsStarted =
        net.machine(N1).electionsStarted()
            + net.machine(N2).electionsStarted()
            + net.machine(N3).electionsStarted();
    assertThat(electionsStarted).as("re-elections among N1..N3").isGreaterThan(3);
  }

  /**
   * After the lease passes (the leader died), the real election among the remaining voters goes
   * ahead: the removed member cannot stall it, and cannot win (its log lacks its removal).
   */
  @Test
  void afterTheLeaseARealElectionProceeds_4_2_3() {
    Network net = clusterWithRemovedN4(true);
    net.tickAll(3 * ELECTION);
    net.isolate(N1); // the leader dies
    int ticks = 0;
    while (net.machine(N2).role() != Role.LEADER && net.machine(N3).role() != Role.LEADER) {
      net.tickAll(1);
      ticks++;
      assertThat(ticks).as("ticks to a new leader").isLessThan(6 * ELECTION);
      assertThat(net.machine(N4).role()).isNotEqualTo(Role.LEADER);
    }
    MemberId leader = net.machine(N2).role() == Role.LEADER ? N2 : N3;
    assertThat(net.machine(leader).term()).isGreaterThan(1);
    assertThat(net.machine(leader).configuration().voters()).containsExactly(N1, N2, N3);
    long index = net.machine(leader).propose(List.of(new byte[] {8}));
    net.deliverAll();
    assertThat(net.machine(leader).commitIndex()).isEqualTo(index);
  }

  /** The leader itself, with CheckQuorum: no term change, no vote, no answer, still leading. */
  @Test
  void theLeaderIgnoresHigherTermVoteRequestsWhileItsLeaseHolds_4_2_3() {
    Network net = Network.of(3, withPreVoteAndCheckQuorum());
    net.campaign(N1);
    RaftMachine n1 = net.machine(N1);
    net.tickAll(ELECTION - 1);
    assertThat(n1.hasReady()).isFalse();
    // a voter and a stranger, real and pre, with logs far ahead
    n1.step(vote(N3, 9, 100, 8));
    n1.step(preVote(N3, 9, 100, 8));
    n1.step(vote(N4, 12, 100, 8));
    assertThat(n1.role()).isEqualTo(Role.LEADER);
    assertThat(n1.term()).isEqualTo(1);
    assertThat(n1.hasReady()).isFalse();
    // a CheckQuorum round later it still leads in term 1
    net.tickAll(2 * ELECTION);
    assertThat(n1.role()).isEqualTo(Role.LEADER);
    assertThat(n1.term()).isEqualTo(1);
  }

  /** §3.10: a vote request of a transfer (TimeoutNow) is heeded by the leader despite its lease. */
  @Test
  void aTransferFlaggedVoteIsHonouredByTheLeader_3_10() {
    Network net = Network.of(3, withPreVoteAndCheckQuorum());
    net.campaign(N1);
    RaftMachine n1 = net.machine(N1);
    n1.step(new RequestVote(N3, 2, n1.lastIndex(), n1.term(), false, true));
    List<Envelope> sent = net.node(N1).processReady();
    assertThat(n1.role()).isEqualTo(Role.FOLLOWER);
    assertThat(n1.term()).isEqualTo(2);
    assertThat(n1.hardState().votedFor()).isEqualTo(N3);
    assertThat(ofType(sent, RequestVoteResponse.class))
        .containsExactly(new RequestVoteResponse(N1, 2, true, false));
  }

  /** And a whole transfer goes through while a removed member is being ignored. */
  @Test
  void aLeadershipTransferGoesThroughBesideTheIgnoredRemovedMember_3_10() {
    Network net = clusterWithRemovedN4(true);
    net.tickAll(ELECTION);
    net.machine(N1).transferLeadership(N3);
    net.tickAll(ELECTION);
    assertThat(net.machine(N3).role()).isEqualTo(Role.LEADER);
    assertThat(net.machine(N3).term()).isEqualTo(2);
    assertThat(net.machine(N2).leader()).isEqualTo(N3);
    net.tickAll(10 * ELECTION);
    assertThat(net.machine(N3).role()).isEqualTo(Role.LEADER);
    assertThat(net.machine(N3).term()).isEqualTo(2);
  }

  /**
   * The fast election: a follower whose runtime reported the leader's connection lost forgets the
   * leader, so it heeds the next real vote request at once, though it heard the leader a tick ago.
   */
  @Test
  void aFollowerThatLostTheLeadersConnectionStillVotes_fastElection() {
    Network net = Network.of(3, withPreVoteAndCheckQuorum());
    net.campaign(N1);
    RaftMachine n3 = net.machine(N3);
    net.tickAll(1); // a heartbeat just arrived
    n3.step(vote(N2, 2, n3.lastIndex(), 1));
    assertThat(n3.hasReady()).as("in the lease: ignored").isFalse();
    n3.peerUnreachable(N1);
    n3.step(vote(N2, 2, n3.lastIndex(), 1));
    List<Envelope> sent = net.node(N3).processReady();
    assertThat(n3.term()).isEqualTo(2);
    assertThat(ofType(sent, RequestVoteResponse.class))
        .containsExactly(new RequestVoteResponse(N3, 2, true, false));
  }

  /**
   * Without CheckQuorum (plain Raft), a member that believes in a live leader still ignores a
   * non-voter (a removed member), but heeds a voter (as etcd-io/raft, which has no lease at all
   * without CheckQuorum).
   */
  @Test
  void withoutCheckQuorumOnlyNonVotersAreIgnored_4_2_3() {
    Network net = Network.of(3, plain());
    net.campaign(N1);
    RaftMachine n1 = net.machine(N1);
    RaftMachine n2 = net.machine(N2);
    n1.step(vote(N4, 5, 100, 5));
    n2.step(vote(N4, 5, 100, 5));
    assertThat(n1.hasReady() || n2.hasReady()).isFalse();
    assertThat(n1.role()).isEqualTo(Role.LEADER);
    assertThat(n2.term()).isEqualTo(1);
    n1.step(vote(N3, 5, 100, 5));
    assertThat(n1.role()).isEqualTo(Role.FOLLOWER);
    assertThat(n1.term()).isEqualTo(5);
  }

  /**
   * After forceNewCluster the survivor leads alone (its CheckQuorum lease always holds): an old
   * member that reached it anyway (the transport keeps epochs apart) cannot change its term.
   */
  @Test
  void aForcedLeaderIgnoresTheOldMembersVoteRequests_4_2_3() {
    Network net = Network.of(3, withPreVoteAndCheckQuorum());
    net.campaign(N1);
    net.isolate(N1);
    net.isolate(N2);
    net.isolate(N3);
    RaftMachine n2 = net.machine(N2);
    for (int t = 0; t <= 4 * ELECTION; t++) {
      n2.tick();
      net.deliverAll();
    }
    n2.forceNewCluster(0x42);
    net.deliverAll();
    long term = n2.term();
    for (int t = 0; t < 3 * ELECTION; t++) {
      n2.tick();
      n2.step(vote(N1, term + 1 + t, 100, term + 1));
      n2.step(vote(N3, term + 1 + t, 100, term + 1));
      net.deliverAll();
    }
    assertThat(n2.role()).isEqualTo(Role.LEADER);
    assertThat(n2.term()).isEqualTo(term);
  }
}
