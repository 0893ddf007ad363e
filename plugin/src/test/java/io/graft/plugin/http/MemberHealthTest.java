package io.graft.plugin.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The health answers with Neo4j Enterprise's meaning: exactly one of writable / read-only on a
 * working member, none on a member that is not a working part of the cluster, with the reason.
 */
class MemberHealthTest {
  private static final long MAX_LAG = 1000;

  @Test
  void leaderWithAppliedLeaseIsWritableAndAvailableNotReadOnly() {
    MemberHealth h = MemberHealth.of(States.leader(true), MAX_LAG);
    assertThat(h.writable()).isTrue();
    assertThat(h.available()).isTrue();
    assertThat(h.readOnly()).isFalse();
    assertThat(h.healthy()).isTrue();
    assertThat(h.participating()).isTrue();
    assertThat(h.problems()).isEmpty();
  }

  @Test
  void leaderBeforeItsLeaseIsAppliedIsAvailableButNotWritable() {
    MemberHealth h = MemberHealth.of(States.leader(false), MAX_LAG);
    assertThat(h.writable()).isFalse();
    assertThat(h.available()).isTrue();
    assertThat(h.readOnly()).isFalse();
  }

  @Test
  void followerThatKnowsALeaderIsReadOnlyAndAvailable() {
    MemberHealth h = MemberHealth.of(States.follower("a:7000", 100, 99), MAX_LAG);
    assertThat(h.readOnly()).isTrue();
    assertThat(h.available()).isTrue();
    assertThat(h.writable()).isFalse();
    assertThat(h.applyLag()).isEqualTo(1);
  }

  @Test
  void memberWithoutALeaderIsNeitherAvailableNorReadOnlyAndSaysWhy() {
    MemberHealth h = MemberHealth.of(States.follower(null, 100, 100), MAX_LAG);
    assertThat(h.available()).isFalse();
    assertThat(h.readOnly()).isFalse();
    assertThat(h.writable()).isFalse();
    assertThat(h.healthy()).as("the database itself is fine").isTrue();
    assertThat(h.participating()).isFalse();
    assertThat(h.problems()).anyMatch(p -> p.contains("no leader known"));
  }

  @Test
  void panickedMemberIsUnhealthyAndAnswersNothing() {
    MemberHealth h = MemberHealth.of(States.panicked(), MAX_LAG);
    assertThat(h.healthy()).isFalse();
    assertThat(h.available()).isFalse();
    assertThat(h.readOnly()).isFalse();
    assertThat(h.problems()).anyMatch(p -> p.contains("panicked") && p.contains("disk on fire"));
  }

  @Test
  void memberTooFarBehindOnApplyIsNotAvailableExactlyPastTheBound() {
    assertThat(MemberHealth.of(States.follower("a:7000", 2000, 1000), MAX_LAG).available())
        .as("exactly at the bound").isTrue();
    MemberHealth h = MemberHealth.of(States.follower("a:7000", 2001, 1000), MAX_LAG);
    assertThat(h.available()).isFalse();
    assertThat(h.readOnly()).isFalse();
    assertThat(h.problems()).anyMatch(p -> p.contains("1001 entries behind"));
  }

  @Test
  void candidateIsNotAWorkingMember() {
    MemberState s = States.follower(null, 100, 100);
    MemberState candidate = new MemberState(s.database(),
        States.row("b:7000", "CANDIDATE", null, 100, 100), s.members(), false, null, true, false,
        s.selfHttp(), s.httpAddresses(), s.events(), 0, s.raft(), s.snapshots(), s.connections());
    MemberHealth h = MemberHealth.of(candidate, MAX_LAG);
    assertThat(h.participating()).isFalse();
    assertThat(h.problems()).anyMatch(p -> p.contains("role CANDIDATE"));
  }

  @Test
  void databaseNotRunningAnswersNothing() {
    MemberHealth h = MemberHealth.of(MemberState.notRunning("neo4j", null), MAX_LAG);
    assertThat(h.healthy()).isFalse();
    assertThat(h.available()).isFalse();
    assertThat(h.writable()).isFalse();
    assertThat(h.readOnly()).isFalse();
    assertThat(h.problems()).containsExactly("the replicated database 'neo4j' is not running here");
  }
}
