package io.graft.raft.protocol;

import static io.graft.raft.protocol.Fixtures.ELECTION;
import static io.graft.raft.protocol.Fixtures.N1;
import static io.graft.raft.protocol.Fixtures.N2;
import static io.graft.raft.protocol.Fixtures.N3;
import static io.graft.raft.protocol.Fixtures.N4;
import static io.graft.raft.protocol.Fixtures.N5;
import static io.graft.raft.protocol.Fixtures.append;
import static io.graft.raft.protocol.Fixtures.granted;
import static io.graft.raft.protocol.Fixtures.ids;
import static io.graft.raft.protocol.Fixtures.machine;
import static io.graft.raft.protocol.Fixtures.ofType;
import static io.graft.raft.protocol.Fixtures.plain;
import static io.graft.raft.protocol.Fixtures.rejected;
import static io.graft.raft.protocol.Fixtures.store;
import static io.graft.raft.protocol.Fixtures.vote;
import static org.assertj.core.api.Assertions.assertThat;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.api.Role;
import io.graft.raft.message.AppendEntries;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.RequestVote;
import io.graft.raft.message.RequestVoteResponse;
import io.graft.raft.storage.memory.InMemoryLogStore;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Leader election and the term rules: Raft paper §5.1 (terms), §5.2 (election, one vote per term,
 * randomized timeouts) and §5.4.1 (election restriction). Scenarios follow etcd-io/raft
 * raft_paper_test.go (TestFollowerUpdateTermFromMessage, TestStartAsFollower,
 * TestLeaderElectionInOneRoundRPC, TestFollowerVote, TestVoter, ...), re-written with
 * given/when/then against a single machine or a small in-memory {@link Network}. Plain Raft (no
 * PreVote, no CheckQuorum) unless the test says otherwise.
 */
class ElectionTest {

  private static RaftMachine follower(MemberId self, int clusterSize) {
    return machine(plain(), self, ids(clusterSize), new InMemoryLogStore(), HardState.EMPTY);
  }

  /** A candidate whose vote for itself is durable (its first Ready was carried out). */
  private static RaftMachine candidate(MemberId self, int clusterSize) {
    RaftMachine m = follower(self, clusterSize);
    tickUntil(m, Role.CANDIDATE);
    drain(m);
    return m;
  }

  private static void tickUntil(RaftMachine m, Role role) {
    for (int i = 0; i < 2 * ELECTION && m.role() != role; i++) {
      m.tick();
    }
    assertThat(m.role()).isEqualTo(role);
  }

  /** Carries out one Ready of a machine built by {@link Fixtures#machine}, persisting its log. */
  private static Ready drain(RaftMachine m) {
    return Fixtures.drain(m);
  }

  @Test
  void startsAsFollower_5_2() {
    RaftMachine m = follower(N1, 3);
    assertThat(m.role()).isEqualTo(Role.FOLLOWER);
    assertThat(m.term()).isZero();
    assertThat(m.hasReady()).isFalse();
  }

  @ParameterizedTest(name = "{0} adopts a higher term from an AppendEntries")
  @CsvSource({"FOLLOWER", "CANDIDATE", "LEADER"})
  void anyRoleUpdatesTermFromMessage_5_1(Role start) {
    // given a member in the given role at term 1 (leader: single-member view of a 1-node cluster)
    RaftMachine m = start == Role.LEADER ? singleNodeLeader() : follower(N1, 3);
    if (start == Role.CANDIDATE) {
      tickUntil(m, Role.CANDIDATE);
    }
    // when a message of a higher term arrives
    m.step(append(N2, 5, 0, 0, 0));
    // then it becomes a follower of that term with the sender as leader (§5.1)
    assertThat(m.role()).isEqualTo(Role.FOLLOWER);
    assertThat(m.term()).isEqualTo(5);
    assertThat(m.leader()).isEqualTo(N2);
  }

  private static RaftMachine singleNodeLeader() {
    RaftMachine m = machine(plain(), N1, Set.of(N1), new InMemoryLogStore(), HardState.EMPTY);
    Fixtures.electAlone(m);
    drain(m);
    return m;
  }

  @Test
  void staleTermRequestsAreRejectedWithCurrentTerm_5_1() {
    // given a follower at term 5
    RaftMachine m = machine(plain(), N1, ids(3), store(1), new HardState(5, null, 0));
    // when a stale leader (term 3) sends AppendEntries and a stale candidate asks for a vote
    m.step(append(N2, 3, 1, 1, 1, Fixtures.entry(3, 2)));
    m.step(vote(N3, 4, 9, 4));
    // then neither changes state, and both are answered false with the current term
    Ready rd = drain(m);
    assertThat(m.term()).isEqualTo(5);
    assertThat(m.lastIndex()).isEqualTo(1);
    assertThat(m.hardState().votedFor()).isNull();
    assertThat(rd.messagesAfterPersist()).hasSize(2);
    assertThat(rd.messagesAfterPersist())
        .allSatisfy(e -> assertThat(e.message().term()).isEqualTo(5));
    assertThat(ofType(rd.messagesAfterPersist(), RequestVoteResponse.class).get(0).granted())
        .isFalse();
  }

  @Test
  void staleVoteResponsesAreIgnored_5_1() {
    // given a candidate of term 2 in a 3-member cluster (it campaigned twice)
    RaftMachine m = candidate(N1, 3);
    tickUntil(m, Role.FOLLOWER == m.role() ? Role.CANDIDATE : Role.CANDIDATE);
    for (int i = 0; i < 2 * ELECTION && m.term() < 2; i++) {
      m.tick();
    }
    assertThat(m.term()).isEqualTo(2);
    // when a vote granted in term 1 arrives late
    m.step(granted(N2, 1));
    // then it does not count
    assertThat(m.role()).isEqualTo(Role.CANDIDATE);
  }

  @Test
  void followerStartsElectionAfterTimeoutAndPersistsBeforeSending_5_2() {
    // given a follower with one entry of term 1
    RaftMachine m = machine(plain(), N1, ids(3), store(1), new HardState(1, null, 0));
    // when its election timer fires
    tickUntil(m, Role.CANDIDATE);
    // then it is a candidate of term 2 that voted for itself, and the RequestVotes leave only
    // after the new term and vote are durable (messagesAfterPersist, mustSync)
    Ready rd = drain(m);
    assertThat(rd.hardState()).isEqualTo(new HardState(2, N1, 0));
    assertThat(rd.mustSync()).isTrue();
    assertThat(rd.messagesNow()).isEmpty();
    assertThat(ofType(rd.messagesAfterPersist(), RequestVote.class))
        .containsExactly(vote(N1, 2, 1, 1), vote(N1, 2, 1, 1));
    assertThat(rd.messagesAfterPersist()).extracting(e -> e.to()).containsExactlyInAnyOrder(N2, N3);
  }

  @Test
  void aSingleVoterLeadsOnlyOnceItsVoteForItselfIsSaved_5_2() {
    // given a single voter whose election timer fired
    RaftMachine m = machine(plain(), N1, Set.of(N1), new InMemoryLogStore(), HardState.EMPTY);
    tickUntil(m, Role.CANDIDATE);
    // then its term and vote are in a Ready with no entry and no message of that term: it does
    // not lead before they are saved (else a crash could let it lead the same term twice)
    Ready rd = m.ready();
    assertThat(rd.hardState()).isEqualTo(new HardState(1, N1, 0));
    assertThat(rd.entriesToPersist()).isEmpty();
    assertThat(rd.messagesNow()).isEmpty();
    Fixtures.persistOnly(m, rd);
    assertThat(m.role()).isEqualTo(Role.CANDIDATE);
    // and once that Ready is carried out it leads, its NOOP of term 1 in the next Ready
    m.advance(rd);
    assertThat(m.role()).isEqualTo(Role.LEADER);
    assertThat(drain(m).entriesToPersist()).extracting(e -> e.term()).containsExactly(1L);
  }

  @Test
  void aSingleVoterRestartedWithEntriesOfAnUnsavedTermNeverLeadsThatTermAgain_5_2() {
    // given a single voter that led term 3 and wrote its NOOP and one entry (indexes 2, 3), killed
    // before its hard state of term 3 was saved (a single voter wins without sending anything, so
    // its vote for itself is saved with its first entries; after kill -9 every write survives)
    InMemoryLogStore log = store(1, 3, 3);
    RaftMachine m = machine(plain(), N1, Set.of(N1), log, new HardState(2, N1, 1));
    // then it restarts in term 3 as one that voted in it
    assertThat(m.term()).isEqualTo(3);
    assertThat(m.hardState().votedFor()).isEqualTo(N1);
    // and it leads term 4: leading term 3 again would write a second, different entry at index 4
    // in term 3, where its first leadership may already have sent one (Log Matching)
    Fixtures.electAlone(m);
    assertThat(m.term()).isEqualTo(4);
    drain(m);
    assertThat(Fixtures.termsOf(log)).containsExactly(1, 3, 3, 4);
  }

  @Test
  void aFollowerRestartedWithEntriesOfAnUnsavedTermVotesInNoOtherLeaderOfIt_5_2() {
    // given a follower that wrote entries of term 3 from that term's leader, killed before it saved
    // term 3 (it never voted in term 3: a vote leaves only once it is saved)
    RaftMachine m = machine(plain(), N1, ids(3), store(1, 3), new HardState(2, null, 1));
    assertThat(m.term()).isEqualTo(3);
    // when a candidate asks for a vote in term 3 (that term has a leader), then the answer is no;
    // in term 4 it votes as usual
    m.step(vote(N3, 3, 2, 3));
    Ready rd = drain(m);
    assertThat(ofType(rd.messagesAfterPersist(), RequestVoteResponse.class).get(0).granted())
        .isFalse();
    m.step(vote(N3, 4, 2, 3));
    rd = drain(m);
    assertThat(ofType(rd.messagesAfterPersist(), RequestVoteResponse.class).get(0).granted())
        .isTrue();
  }

  @Test
  void electionTimeoutIsRandomizedWithinOneToTwoTimeouts_5_2() {
    Set<Integer> seen = new HashSet<>();
    for (long seed = 0; seed < 200; seed++) {
      RaftMachine m =
          new RaftMachine(
              plain(),
              N1,
              ids(3),
              new InMemoryLogStore(),
              HardState.EMPTY,
              new SplittableRandom(seed), RaftLogging.slf4j());
      int ticks = 0;
      while (m.role() == Role.FOLLOWER) {
        m.tick();
        ticks++;
      }
      assertThat(ticks).as("seed %d", seed).isBetween(ELECTION, 2 * ELECTION - 1);
      seen.add(ticks);
    }
    assertThat(seen).as("timeouts must actually spread").hasSizeGreaterThan(ELECTION / 2);
  }

  @ParameterizedTest(name = "cluster of {0}, {1} grants, {2} rejections -> {3}")
  @CsvSource({
    "1, 0, 0, LEADER",
    "3, 1, 0, LEADER",
    "3, 0, 2, FOLLOWER",
    "3, 0, 1, CANDIDATE",
    "5, 2, 0, LEADER",
    "5, 1, 0, CANDIDATE",
    "5, 1, 3, FOLLOWER",
    "5, 0, 2, CANDIDATE"
  })
  void candidateOutcomeDependsOnMajority_5_2(int size, int grants, int rejections, Role expected) {
    // given a fresh candidate (it voted for itself)
    RaftMachine m = follower(N1, size);
    tickUntil(m, Role.CANDIDATE);
    drain(m); // its vote for itself counts once saved: a single voter leads from here
    assertThat(m.role()).isEqualTo(size == 1 ? Role.LEADER : Role.CANDIDATE);
    // when the other voters answer
    int peer = 2;
    for (int i = 0; i < grants; i++) {
      m.step(granted(Fixtures.id(peer++), 1));
    }
    for (int i = 0; i < rejections; i++) {
      m.step(rejected(Fixtures.id(peer++), 1));
    }
    // then a majority of grants wins, a majority of rejections loses, anything else waits
    assertThat(m.role()).isEqualTo(expected);
  }

  @Test
  void duplicateVoteResponseCountsOnce_5_2() {
    // given a candidate in a 5-member cluster
    RaftMachine m = candidate(N1, 5);
    // when the same voter's grant arrives three times
    m.step(granted(N2, 1));
    m.step(granted(N2, 1));
    m.step(granted(N2, 1));
    // then it counts once: 2 of 5 is no majority
    assertThat(m.role()).isEqualTo(Role.CANDIDATE);
    // and a genuinely new grant completes the majority
    m.step(granted(N3, 1));
    assertThat(m.role()).isEqualTo(Role.LEADER);
  }

  @Test
  void followerVotesAtMostOncePerTerm_5_2() {
    // given a follower at term 1
    RaftMachine m = follower(N1, 3);
    // when two candidates of term 1 ask, then the first asks again
    m.step(vote(N2, 1, 0, 0));
    m.step(vote(N3, 1, 0, 0));
    m.step(vote(N2, 1, 0, 0));
    // then only N2 gets the vote (twice: a retransmission is answered the same way)
    Ready rd = drain(m);
    assertThat(ofType(rd.messagesAfterPersist(), RequestVoteResponse.class))
        .extracting(RequestVoteResponse::granted)
        .containsExactly(true, false, true);
    assertThat(rd.hardState()).isEqualTo(new HardState(1, N2, 0));
  }

  @Test
  void grantedVoteIsDurableBeforeTheReplyIsSent_5_2() {
    RaftMachine m = follower(N1, 3);
    m.step(vote(N2, 1, 0, 0));
    Ready rd = drain(m);
    // the vote is in the hard state of the very Ready whose messagesAfterPersist carry the grant
    assertThat(rd.hardState().votedFor()).isEqualTo(N2);
    assertThat(rd.mustSync()).isTrue();
    assertThat(rd.messagesNow()).isEmpty();
    assertThat(ofType(rd.messagesAfterPersist(), RequestVoteResponse.class))
        .containsExactly(new RequestVoteResponse(N1, 1, true, false));
  }

  @ParameterizedTest(name = "voter log (last term 2, last index 2), candidate ({0},{1}) -> {2}")
  @CsvSource({
    "1, 1, false", // lower last term
    "1, 3, false", // lower last term, longer log
    "2, 1, false", // same last term, shorter log
    "2, 2, true", // identical
    "2, 3, true", // same term, longer
    "3, 1, true", // higher last term wins even if shorter
  })
  void votesOnlyForAtLeastAsUpToDateLog_5_4_1(long lastTerm, long lastIndex, boolean expected) {
    RaftMachine m = machine(plain(), N1, ids(3), store(1, 2), new HardState(2, null, 0));
    m.step(vote(N2, 3, lastIndex, lastTerm));
    Ready rd = drain(m);
    assertThat(ofType(rd.messagesAfterPersist(), RequestVoteResponse.class).get(0).granted())
        .isEqualTo(expected);
    assertThat(m.term()).as("the higher term is adopted either way (§5.1)").isEqualTo(3);
  }

  @Test
  void candidateStepsDownOnAppendEntriesFromLeaderOfSameTerm_5_2() {
    RaftMachine m = candidate(N1, 3);
    m.step(append(N2, 1, 0, 0, 0));
    assertThat(m.role()).isEqualTo(Role.FOLLOWER);
    assertThat(m.leader()).isEqualTo(N2);
    assertThat(m.term()).isEqualTo(1);
    assertThat(m.hardState().votedFor()).as("its own vote stays").isEqualTo(N1);
  }

  @Test
  void newLeaderAppendsNoopOfItsTermAtOnce_5_4_2_Figure8() {
    // given a candidate with an entry of term 1
    RaftMachine m = machine(plain(), N1, ids(3), store(1), new HardState(1, null, 0));
    tickUntil(m, Role.CANDIDATE);
    drain(m);
    // when it wins
    m.step(granted(N2, 2));
    // then a NOOP of term 2 is appended at index 2 and sent at once (before it is durable)
    Ready rd = drain(m);
    assertThat(m.role()).isEqualTo(Role.LEADER);
    assertThat(rd.entriesToPersist()).hasSize(1);
    assertThat(rd.entriesToPersist().get(0).type()).isEqualTo(EntryType.NOOP);
    assertThat(rd.entriesToPersist().get(0).term()).isEqualTo(2);
    assertThat(rd.entriesToPersist().get(0).index()).isEqualTo(2);
    List<AppendEntries> appends = ofType(rd.messagesNow(), AppendEntries.class);
    assertThat(appends).hasSize(2);
    assertThat(appends).allSatisfy(a -> assertThat(a.prevLogIndex()).isEqualTo(1));
    assertThat(appends.get(0).entries()).isEqualTo(rd.entriesToPersist());
  }

  @Test
  void leaderElectedInOneRoundOfRpcs_5_2() {
    Network net = Network.of(5, plain());
    net.campaign(N1);
    assertThat(net.machine(N1).role()).isEqualTo(Role.LEADER);
    for (MemberId other : List.of(N2, N3, N4, N5)) {
      assertThat(net.machine(other).leader()).isEqualTo(N1);
      assertThat(net.machine(other).term()).isEqualTo(1);
    }
  }

  @Test
  void duelingCandidatesResolveToOneLeader_5_2() {
    // given a 3-member cluster where N1 and N3 cannot talk
    Network net = Network.of(3, plain());
    net.cut(N1, N3);
    // when N1 and then N3 campaign
    net.campaign(N1);
    net.campaign(N3);
    // then N1 leads term 1 (N2 voted for it); N3's term-1 campaign is refused (N2 already voted)
    // and stays open (N1 is unreachable)
    assertThat(net.machine(N1).role()).isEqualTo(Role.LEADER);
    assertThat(net.machine(N3).role()).isEqualTo(Role.CANDIDATE);
    assertThat(net.machine(N3).term()).isEqualTo(1);
    // when the link heals and N3 (which missed N1's NOOP) campaigns again, with term 2
    net.heal();
    net.campaign(N3);
    // then its term deposes N1, but N1 and N2 refuse their votes (their logs are more up-to-date,
    // §5.4.1), so N3 is back to follower and nobody leads term 2
    assertThat(net.machine(N3).role()).isEqualTo(Role.FOLLOWER);
    assertThat(net.machine(N1).role()).isEqualTo(Role.FOLLOWER);
    assertThat(net.machine(N1).term()).isEqualTo(2);
    // when time passes, exactly one leader remains and all agree on it
    net.tickAll(4 * ELECTION);
    long leaders = net.nodes.values().stream().filter(n -> n.machine.role() == Role.LEADER).count();
    assertThat(leaders).isEqualTo(1);
    MemberId leader = net.machine(N2).leader();
    assertThat(net.machine(N1).leader()).isEqualTo(leader);
    assertThat(net.machine(N3).leader()).isEqualTo(leader);
  }

  @Test
  void candidatesWithSameTermSplitVotesThenRetry_5_2() {
    // given 3 members where each starts campaigning in the same term and votes for itself
    Network net = Network.of(3, plain());
    for (MemberId id : List.of(N1, N2, N3)) {
      RaftMachine m = net.machine(id);
      while (m.role() != Role.CANDIDATE) {
        m.tick();
      }
    }
    net.deliverAll();
    // then nobody wins term 1 (each voted for itself)
    assertThat(net.nodes.values())
        .allSatisfy(n -> assertThat(n.machine.role()).isNotEqualTo(Role.LEADER));
    // when the randomized timers run, someone wins a later term
    net.tickAll(4 * ELECTION);
    assertThat(net.nodes.values().stream().filter(n -> n.machine.role() == Role.LEADER).count())
        .isEqualTo(1);
  }
}
