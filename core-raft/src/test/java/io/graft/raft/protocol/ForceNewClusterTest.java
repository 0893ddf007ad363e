package io.graft.raft.protocol;

import static io.graft.raft.protocol.Fixtures.ELECTION;
import static io.graft.raft.protocol.Fixtures.N1;
import static io.graft.raft.protocol.Fixtures.N2;
import static io.graft.raft.protocol.Fixtures.N3;
import static io.graft.raft.protocol.Fixtures.N4;
import static io.graft.raft.protocol.Fixtures.withPreVoteAndCheckQuorum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Membership;
import io.graft.raft.api.MembershipChangeException;
import io.graft.raft.api.MembershipChangeException.Reason;
import io.graft.raft.api.Role;
import io.graft.raft.message.AppendEntries;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.Heartbeat;
import io.graft.raft.message.LogEntry;
import io.graft.raft.message.RequestVote;
import io.graft.raft.protocol.membership.Configuration;
import io.graft.raft.protocol.membership.ConfigurationCodec;
import io.graft.raft.storage.memory.InMemoryLogStore;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Recovery after losing a majority for good ({@link RaftMachine#forceNewCluster}; etcd's
 * {@code --force-new-cluster}): the refusals while the cluster may be alive, the re-formation
 * itself (a new term, the survivor as the only voter of a new epoch, its whole log kept and then
 * committed through its own no-op, §5.4.2), that a restart keeps it (§4.1: the latest
 * configuration in the log is used), and that the old members, kept apart by the transport's
 * epoch rule (modelled here by the network: members bound to two different epochs do not talk;
 * the old ones are bound to the founding epoch, the survivor to the new one, a new member is
 * unbound until it holds entries from the survivor), change nothing in the re-formed cluster,
 * which grows again with addMember.
 */
class ForceNewClusterTest {
  private static final long EPOCH = 0x42;

  /** N1 leads a 3-member cluster with PreVote and CheckQuorum; everything is committed. */
  private static Network leaderN1() {
    Network net = Network.of(3, withPreVoteAndCheckQuorum());
    net.campaign(N1);
    assertThat(net.machine(N1).role()).isEqualTo(Role.LEADER);
    net.machine(N1).propose(List.of(new byte[] {1}, new byte[] {2}));
    net.deliverAll();
    return net;
  }

  private static Reason refusal(RaftMachine m) {
    try {
      m.forceNewCluster(EPOCH);
    } catch (MembershipChangeException e) {
      return e.reason();
    }
    throw new AssertionError("forceNewCluster was not refused on " + m.self());
  }

  @Test
  void refusedOnTheLeaderAndOnAFollowerThatKnowsIt() {
    Network net = leaderN1();
    long lastBefore = net.machine(N2).lastIndex();
    assertThat(refusal(net.machine(N1))).isEqualTo(Reason.LEADER_KNOWN);
    assertThatThrownBy(() -> net.machine(N2).forceNewCluster(EPOCH))
        .isInstanceOf(MembershipChangeException.class)
        .hasMessageContaining("n1 is the leader")
        .hasMessageContaining("raft.removeMember");
    // Nothing changed: same configuration, log and term everywhere.
    assertThat(net.machine(N2).configuration().voters()).containsExactly(N1, N2, N3);
    assertThat(net.machine(N2).lastIndex()).isEqualTo(lastBefore);
    assertThat(net.machine(N2).hasReady()).isFalse();
  }

  @Test
  void refusedBeforeTwoElectionTimeoutsHavePassed() {
    Network net = Network.of(3, withPreVoteAndCheckQuorum());
    net.isolate(N2);
    assertThatThrownBy(() -> net.machine(N2).forceNewCluster(EPOCH))
        .isInstanceOf(MembershipChangeException.class)
        .hasMessageContaining("cannot tell yet");
  }

  @Test
  void refusedWhileAMajorityWasHeardFromEvenWithoutALeader() {
    Network net = Network.of(3, withPreVoteAndCheckQuorum());
    net.isolate(N2);
    net.isolate(N3);
    net.tickAll(2 * ELECTION + 1); // leaderless: every PreVote is lost
    RaftMachine n2 = net.machine(N2);
    assertThat(n2.leader()).isNull();
    // N3 is alive: its PreVote reaches N2 (an election needs the voters to reach each other).
    n2.step(new RequestVote(N3, n2.term() + 1, 0, 0, true, false));
    assertThat(refusal(n2)).isEqualTo(Reason.QUORUM_REACHABLE);
    // Two election timeouts later without a word from N3, it is allowed.
    for (int t = 0; t <= 2 * ELECTION; t++) {
      n2.tick();
    }
    assertThat(n2.forceNewCluster(EPOCH).next().voters()).containsExactly(N2);
  }

  @Test
  void refusedOnAMemberThatIsNotAVoter() {
    RaftMachine joining = Fixtures.machine(withPreVoteAndCheckQuorum(), N4, Set.of(),
        new InMemoryLogStore(), HardState.EMPTY);
    for (int t = 0; t <= 2 * ELECTION; t++) {
      joining.tick();
    }
    assertThat(refusal(joining)).isEqualTo(Reason.NOT_A_VOTER);
  }

  @Test
  void theSurvivorLeadsAloneInANewEpochKeepingItsWholeLog() {
    Network net = leaderN1();
    RaftMachine n1 = net.machine(N1);
    long committed = n1.commitIndex();
    // Two more entries reach N2 only, and N2 never learns they committed.
    net.isolate(N3);
    net.dropWhen(e -> e.to().equals(N2) && (e.message() instanceof Heartbeat
        || e.message() instanceof io.graft.raft.message.CommitNotice
        || (e.message() instanceof AppendEntries a && a.entries().isEmpty())));
    n1.propose(List.of(new byte[] {3}, new byte[] {4}));
    net.deliverAll();
    Node n2node = net.node(N2);
    RaftMachine n2 = n2node.machine;
    assertThat(n2.lastIndex()).isEqualTo(committed + 2);
    // N1 and N3 are lost for good; N2 notices the leader is gone.
    net.isolate(N1);
    net.isolate(N2);
    for (int t = 0; t <= 4 * ELECTION; t++) {
      n2.tick();
      net.deliverAll();
    }
    assertThat(n2.leader()).isNull();
    long termBefore = n2.term();
    long knownCommitted = n2.commitIndex();
    assertThat(knownCommitted).isLessThan(committed + 2);

    ForcedConfiguration forced = n2.forceNewCluster(EPOCH);

    assertThat(forced.previous().voters()).containsExactly(N1, N2, N3);
    assertThat(forced.next()).isEqualTo(Configuration.forced(N2, EPOCH));
    assertThat(forced.commitIndex()).isEqualTo(knownCommitted);
    assertThat(forced.lastIndex()).isEqualTo(committed + 2);
    assertThat(forced.configIndex()).isEqualTo(committed + 3);
    assertThat(forced.term()).isEqualTo(termBefore + 1);
    assertThat(n2.role()).isEqualTo(Role.LEADER);
    assertThat(n2.membership()).isEqualTo(
        new Membership(committed + 3, Set.of(N2), Set.of(), EPOCH));
    net.deliverAll(); // persists; a single voter commits on its own fsync
    assertThat(n2.commitIndex()).isEqualTo(committed + 4); // the config entry and the no-op
    assertThat(n2node.applied).extracting(LogEntry::index).contains(committed + 1, committed + 2);
    // Proposals commit alone.
    long next = n2.propose(List.of(new byte[] {5}));
    net.deliverAll();
    assertThat(n2.commitIndex()).isEqualTo(next);

    // A restart keeps the re-formed cluster: the configuration entry is in the durable log.
    n2node.restart();
    assertThat(n2node.machine.configuration()).isEqualTo(Configuration.forced(N2, EPOCH));
    for (int t = 0; t <= 2 * ELECTION && n2node.machine.role() != Role.LEADER; t++) {
      n2node.machine.tick();
      net.deliverAll();
    }
    assertThat(n2node.machine.role()).isEqualTo(Role.LEADER);
  }

  @Test
  void oldMembersThatComeBackChangeNothingAndNewMembersJoinTheNewEpoch() {
    Network net = leaderN1();
    net.isolate(N1);
    net.isolate(N2);
    net.isolate(N3);
    RaftMachine n2 = net.machine(N2);
    for (int t = 0; t <= 4 * ELECTION; t++) {
      n2.tick();
      net.deliverAll();
    }
    n2.forceNewCluster(EPOCH);
    net.deliverAll();
    long term = n2.term();
    long last = n2.lastIndex();

    // The old members return with their old state; the transport keeps the epochs apart.
    net.heal();
    net.dropWhen(e -> conflicting(net, e.message().from(), e.to()));
    net.tickAll(6 * ELECTION);
    assertThat(n2.role()).isEqualTo(Role.LEADER);
    assertThat(n2.term()).isEqualTo(term);
    assertThat(n2.configuration().voters()).containsExactly(N2);
    // They may run their old cluster among themselves: it is another cluster now.
    assertThat(net.machine(N1).configuration().epoch()).isEqualTo(Membership.FOUNDING_EPOCH);

    // A brand-new member (no epoch yet) joins the re-formed cluster and adopts its epoch.
    Node n4 = new Node(N4, withPreVoteAndCheckQuorum(), Set.of(), new InMemoryLogStore(),
        HardState.EMPTY, 4);
    net.add(n4);
    n2.addMember(1, N4);
    for (int t = 0; t < 4 * ELECTION && n2.takeChangeOutcomes().isEmpty(); t++) {
      net.tickAll(1);
    }
    assertThat(n2.configuration().voters()).containsExactly(N2, N4);
    assertThat(n4.machine.configuration().epoch()).isEqualTo(EPOCH);
    assertThat(n4.store.lastIndex()).isGreaterThan(last);
    assertThat(n4.store.term(last)).isEqualTo(net.node(N2).store.term(last));
    long next = n2.propose(List.of(new byte[] {9}));
    net.deliverAll();
    assertThat(n2.commitIndex()).isEqualTo(next);
    assertThat(n4.machine.commitIndex()).isEqualTo(next);
  }

  @Test
  void aTwoVoterChangeIsABrokenInvariantWithinAnEpochButNotAcrossOne() {
    Network net = leaderN1();
    RaftMachine n2 = net.machine(N2);
    long index = n2.lastIndex() + 1;
    long prevTerm = n2.log.term(index - 1);
    // Within one epoch two voters never change at once (§4.1): a leader sending it is broken.
    LogEntry sameEpoch = new LogEntry(n2.term(), index, EntryType.CONFIGURATION,
        ConfigurationCodec.encode(Configuration.ofVoters(Set.of(N2))));
    assertThatThrownBy(() -> n2.step(new AppendEntries(N1, n2.term(), index - 1, prevTerm,
        List.of(sameEpoch), n2.commitIndex())))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("single-server");
    // The forced configuration starts a new epoch: the rule does not apply to it.
    RaftMachine n3 = net.machine(N3);
    LogEntry forced = new LogEntry(n3.term() + 1, index, EntryType.CONFIGURATION,
        ConfigurationCodec.encode(Configuration.forced(N1, EPOCH)));
    n3.step(new AppendEntries(N1, n3.term() + 1, index - 1, prevTerm, List.of(forced),
        n3.commitIndex()));
    assertThat(n3.configuration()).isEqualTo(Configuration.forced(N1, EPOCH));
  }

  /** The transport's rule: both bound (non-zero epochs) and the epochs differ. */
  private static boolean conflicting(Network net, MemberId from, MemberId to) {
    long a = bound(net.machine(from));
    long b = bound(net.machine(to));
    return a != Membership.NO_EPOCH && b != Membership.NO_EPOCH && a != b;
  }

  /** ClusterEpoch: N1 and N3 hold the old cluster's state, N2 forced, N4 binds on its entries. */
  private static long bound(RaftMachine m) {
    if (m.self().equals(N2)) {
      return EPOCH;
    }
    if (m.self().equals(N4)) {
      return m.lastIndex() > 0 ? EPOCH : Membership.NO_EPOCH;
    }
    return Membership.FOUNDING_EPOCH;
  }
}
