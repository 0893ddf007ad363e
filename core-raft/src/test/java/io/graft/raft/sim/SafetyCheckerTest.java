package io.graft.raft.sim;

import static io.graft.raft.sim.SimLogStoreTest.entries;
import static io.graft.raft.sim.SimLogStoreTest.rebuilt;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Role;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.LogEntry;
import io.graft.raft.protocol.HardState;
import io.graft.raft.protocol.membership.Configuration;
import io.graft.raft.protocol.membership.ConfigurationCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Each property of the {@link SafetyChecker} must be able to fail: every test feeds it a hand-built
 * history that breaks exactly one property (and one healthy history that breaks none).
 */
class SafetyCheckerTest {

  private static final Configuration FOUNDERS =
      Configuration.ofVoters(Set.of(MemberId.of("f0"), MemberId.of("f1"), MemberId.of("f2")));

  /** A member as the checker sees it, with every field settable. */
  private static final class FakeMember implements MemberView {
    final int index;
    boolean alive = true;
    Role role = Role.FOLLOWER;
    long term;
    long commitIndex;
    SimLogStore store = new SimLogStore();
    Configuration configuration = Configuration.EMPTY;

    FakeMember(int index) {
      this.index = index;
    }

    @Override
    public int index() {
      return index;
    }

    @Override
    public MemberId id() {
      return MemberId.of("f" + index);
    }

    @Override
    public boolean alive() {
      return alive;
    }

    @Override
    public Role role() {
      return role;
    }

    @Override
    public long term() {
      return term;
    }

    @Override
    public long commitIndex() {
      return commitIndex;
    }

    @Override
    public long machineLastIndex() {
      return store.lastIndex();
    }

    @Override
    public SimLogStore store() {
      return store;
    }

    @Override
    public Configuration configuration() {
      return configuration;
    }

    @Override
    public Configuration initialConfiguration() {
      return Configuration.EMPTY;
    }

    @Override
    public Configuration foundingConfiguration() {
      return FOUNDERS;
    }
  }

  private final SafetyChecker checker = new SafetyChecker(3);
  private final List<FakeMember> members =
      List.of(new FakeMember(0), new FakeMember(1), new FakeMember(2));

  @Test
  void healthyHistoryPasses() {
    FakeMember leader = members.get(0);
    leader.role = Role.LEADER;
    leader.term = 1;
    leader.store = rebuilt(entries(1, 1, 3));
    leader.commitIndex = 3;
    members.get(1).term = 1;
    members.get(1).store = rebuilt(entries(1, 1, 2));
    members.get(1).commitIndex = 2;
    assertThatCode(
            () -> {
              checker.afterEvent(members);
              checker.onApply(leader, leader.store.entry(1));
              checker.onApply(members.get(1), members.get(1).store.entry(1));
              checker.afterEvent(members);
            })
        .doesNotThrowAnyException();
  }

  @Test
  void aMachineUsingAnotherConfigurationThanItsLogBreaksConfiguration() {
    FakeMember m = members.get(0);
    Configuration withLearner =
        new Configuration(Set.of(MemberId.of("f0"), MemberId.of("f1")), Set.of(MemberId.of("f2")));
    List<LogEntry> log = new ArrayList<>(entries(1, 1, 2));
    log.add(new LogEntry(1, 3, EntryType.CONFIGURATION, ConfigurationCodec.encode(withLearner)));
    m.store = rebuilt(log);
    m.configuration = withLearner;
    assertThatCode(() -> checker.afterEvent(members)).doesNotThrowAnyException();
    // The entry is cut (a new leader's truncation): the machine must fall back to the initial one.
    m.store = rebuilt(entries(1, 1, 2));
    assertThatThrownBy(() -> checker.afterEvent(members))
        .hasMessageContaining("Configuration (thesis §4.1)")
        .hasMessageContaining("holds no configuration entry");
    m.configuration = Configuration.EMPTY;
    assertThatCode(() -> checker.afterEvent(members)).doesNotThrowAnyException();
    m.configuration = FOUNDERS; // as a snapshot of this prefix would set it
    assertThatCode(() -> checker.afterEvent(members)).doesNotThrowAnyException();
    // A machine that drops the learner its log still names.
    m.store = rebuilt(log);
    m.configuration = Configuration.ofVoters(withLearner.voters());
    assertThatThrownBy(() -> checker.afterEvent(members))
        .hasMessageContaining("Configuration (thesis §4.1)");
  }

  @Test
  void twoLeadersInOneTermBreakElectionSafety() {
    members.get(0).role = Role.LEADER;
    members.get(0).term = 2;
    checker.afterEvent(members);
    members.get(0).alive = false;
    members.get(1).role = Role.LEADER;
    members.get(1).term = 2;
    assertThatThrownBy(() -> checker.afterEvent(members)).hasMessageContaining("Election Safety");
  }

  @Test
  void sameIndexAndTermWithDifferentPrefixesBreakLogMatching() {
    members.get(0).store = rebuilt(entries(1, 1, 3));
    List<LogEntry> other = new ArrayList<>(entries(1, 1, 3));
    other.set(0, new LogEntry(1, 1, EntryType.APPLICATION, new byte[] {99}));
    members.get(1).store = rebuilt(other);
    assertThatThrownBy(() -> checker.afterEvent(members)).hasMessageContaining("Log Matching");
  }

  @Test
  void rewrittenLogIsCheckedAgainAfterTruncation() {
    FakeMember m = members.get(0);
    m.store = rebuilt(entries(1, 1, 3));
    members.get(1).store = rebuilt(entries(1, 1, 3));
    checker.afterEvent(members);
    // m rewrites index 1 (same term) with a different entry: only the walk-back can notice
    m.store.truncateSuffix(1);
    m.store.append(List.of(new LogEntry(1, 1, EntryType.NOOP, null)));
    m.store.append(entries(2, 1, 2));
    assertThatThrownBy(() -> checker.afterEvent(members)).hasMessageContaining("Log Matching");
  }

  @Test
  void leaderWithoutACommittedEntryBreaksLeaderCompleteness() {
    FakeMember follower = members.get(0);
    follower.term = 1;
    follower.store = rebuilt(entries(1, 1, 2));
    follower.commitIndex = 2;
    checker.afterEvent(members);
    FakeMember leader = members.get(1);
    leader.role = Role.LEADER;
    leader.term = 2;
    leader.store = rebuilt(entries(1, 1, 1));
    assertThatThrownBy(() -> checker.afterEvent(members))
        .hasMessageContaining("Leader Completeness");
  }

  /** Figure 8 (c) with the commit it forbids: m2's term-3 entry outranks the committed term-2 one. */
  @Test
  void committedEntryThatAVoterCanBeElectedWithoutIsCaught() {
    checker.fixedVoters(3);
    FakeMember leader = members.get(0);
    leader.role = Role.LEADER;
    leader.term = 4;
    leader.store = rebuilt(List.of(entries(1, 1, 1).get(0), entries(2, 2, 1).get(0)));
    leader.commitIndex = 2;
    members.get(1).term = 4;
    members.get(1).store = rebuilt(List.of(entries(1, 1, 1).get(0), entries(2, 2, 1).get(0)));
    members.get(2).term = 3;
    members.get(2).store = rebuilt(List.of(entries(1, 1, 1).get(0), entries(2, 3, 1).get(0)));
    assertThatThrownBy(() -> checker.afterEvent(members))
        .hasMessageContaining("Leader Completeness (committed entries election-proof)")
        .hasMessageContaining("f2 lacks committed entries up to 2");
  }

  /** A follower that is merely behind is outranked by the majority holding the commit: fine. */
  @Test
  void laggingFollowerDoesNotMakeACommitUnsafe() {
    checker.fixedVoters(3);
    FakeMember leader = members.get(0);
    leader.role = Role.LEADER;
    leader.term = 2;
    leader.store = rebuilt(List.of(entries(1, 1, 1).get(0), entries(2, 2, 2).get(0)));
    leader.store.append(entries(3, 2, 1));
    leader.commitIndex = 3;
    members.get(1).term = 2;
    members.get(1).store = rebuilt(leader.store.shadowPrefix(3));
    members.get(2).term = 2;
    members.get(2).store = rebuilt(leader.store.shadowPrefix(2));
    assertThatCode(() -> checker.afterEvent(members)).doesNotThrowAnyException();
  }

  @Test
  void secondVoteInOneTermIsCaughtAcrossRestarts() {
    FakeMember voter = members.get(0);
    checker.onDurableHardState(voter, new HardState(5, MemberId.of("f1"), 0));
    checker.onDurableHardState(voter, new HardState(5, MemberId.of("f1"), 3));
    checker.onDurableHardState(voter, new HardState(6, MemberId.of("f2"), 3));
    assertThatThrownBy(
            () -> checker.onDurableHardState(voter, new HardState(5, MemberId.of("f2"), 3)))
        .hasMessageContaining("one vote per term")
        .hasMessageContaining("voted for f1 and then for f2 in term 5");
  }

  @Test
  void differentEntriesAppliedAtOneIndexBreakStateMachineSafety() {
    FakeMember a = members.get(0);
    a.store = rebuilt(entries(1, 1, 1));
    a.commitIndex = 1;
    FakeMember b = members.get(1);
    b.store = rebuilt(List.of(new LogEntry(2, 1, EntryType.APPLICATION, new byte[] {5})));
    b.commitIndex = 1;
    checker.onApply(a, a.store.entry(1));
    assertThatThrownBy(() -> checker.onApply(b, b.store.entry(1)))
        .hasMessageContaining("State Machine Safety");
  }

  @Test
  void applyingBeyondCommitIsCaught() {
    FakeMember a = members.get(0);
    a.store = rebuilt(entries(1, 1, 2));
    a.commitIndex = 1;
    assertThatThrownBy(() -> checker.onApply(a, a.store.entry(2)))
        .hasMessageContaining("beyond its commitIndex");
  }

  @Test
  void redeliveredEntryMustMatchWhatWasApplied() {
    FakeMember a = members.get(0);
    SimStateMachine stateMachine = new SimStateMachine();
    stateMachine.apply(entries(1, 1, 1).get(0));
    LogEntry other = new LogEntry(2, 1, EntryType.APPLICATION, new byte[] {1});
    assertThatThrownBy(() -> checker.onReapply(a, other, stateMachine))
        .hasMessageContaining("after restart");
  }

  @Test
  void termOrCommitGoingBackIsCaught() {
    FakeMember a = members.get(0);
    a.term = 3;
    a.store = rebuilt(entries(1, 1, 2));
    a.commitIndex = 2;
    checker.afterEvent(members);
    a.commitIndex = 1;
    assertThatThrownBy(() -> checker.afterEvent(members))
        .hasMessageContaining("commitIndex went back");
    a.commitIndex = 2;
    a.term = 2;
    assertThatThrownBy(() -> checker.afterEvent(members)).hasMessageContaining("term went back");
  }

  @Test
  void restartBelowDurableStateIsCaught() {
    FakeMember a = members.get(0);
    a.store = rebuilt(entries(1, 1, 4));
    a.term = 1;
    a.commitIndex = 0;
    assertThatThrownBy(() -> checker.onRestart(a, new HardState(1, null, 3), 4))
        .hasMessageContaining("below what it durably knew");
    assertThatThrownBy(() -> checker.onRestart(a, new HardState(2, null, 0), 4))
        .hasMessageContaining("below its durable term");
    // a hint beyond the durable log only promises what the log still holds
    a.commitIndex = 4;
    assertThatCode(() -> checker.onRestart(a, new HardState(1, null, 9), 4))
        .doesNotThrowAnyException();
  }

  @Test
  void commitBeyondTheLogIsCaught() {
    FakeMember a = members.get(0);
    a.store = rebuilt(entries(1, 1, 1));
    a.commitIndex = 2;
    assertThatThrownBy(() -> checker.afterEvent(members)).hasMessageContaining("beyond its");
  }
}
