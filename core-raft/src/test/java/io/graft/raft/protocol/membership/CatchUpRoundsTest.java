package io.graft.raft.protocol.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.raft.protocol.membership.CatchUpRounds.Verdict;
import org.junit.jupiter.api.Test;

/** Thesis §4.2.1: rounds, promotion once a round ends within an election timeout, give-up rules. */
class CatchUpRoundsTest {
  private static final int ELECTION = 10;

  @Test
  void roundFinishedWithinAnElectionTimeoutPromotes_4_2_1() {
    CatchUpRounds r = new CatchUpRounds(100, 0, ELECTION, 10, 30);
    assertThat(r.observe(50, true, 100, 5)).isEqualTo(Verdict.CATCHING_UP);
    assertThat(r.observe(100, true, 120, 10)).isEqualTo(Verdict.CAUGHT_UP);
  }

  @Test
  void slowRoundStartsAnotherUpToTheLeadersCurrentIndex_4_2_1() {
    CatchUpRounds r = new CatchUpRounds(100, 0, ELECTION, 10, 30);
    assertThat(r.observe(100, true, 180, 25)).isEqualTo(Verdict.CATCHING_UP);
    assertThat(r.round()).isEqualTo(2);
    assertThat(r.roundTarget()).isEqualTo(180);
    assertThat(r.observe(180, true, 190, 30)).isEqualTo(Verdict.CAUGHT_UP);
  }

  @Test
  void givesUpAfterTheLastRoundIsStillTooSlow_4_2_1() {
    CatchUpRounds r = new CatchUpRounds(100, 0, ELECTION, 3, 1000);
    long now = 0;
    long target = 100;
    Verdict v = Verdict.CATCHING_UP;
    for (int round = 1; round <= 3; round++) {
      now += ELECTION + 1;
      v = r.observe(target, true, target + 100, now);
      target += 100;
    }
    assertThat(v).isEqualTo(Verdict.NOT_CAUGHT_UP);
  }

  @Test
  void noProgressForTheStallBoundFails_unreachableIfNeverHeard() {
    CatchUpRounds silent = new CatchUpRounds(100, 0, ELECTION, 10, 30);
    assertThat(silent.observe(0, false, 100, 30)).isEqualTo(Verdict.CATCHING_UP);
    assertThat(silent.observe(0, false, 100, 31)).isEqualTo(Verdict.UNREACHABLE);
    CatchUpRounds stuck = new CatchUpRounds(100, 0, ELECTION, 10, 30);
    assertThat(stuck.observe(40, true, 100, 10)).isEqualTo(Verdict.CATCHING_UP);
    assertThat(stuck.observe(40, true, 100, 41)).isEqualTo(Verdict.NOT_CAUGHT_UP);
  }

  @Test
  void aSnapshotInFlightIsProgressButASilentLearnerStillStallsOut_5_3() {
    CatchUpRounds r = new CatchUpRounds(100, 0, ELECTION, 10, 30);
    r.observe(0, true, 100, 0); // baseline: the learner has nothing
    for (long now = 10; now <= 100; now += 10) {
      r.progressed(now); // chunks still arriving: the match index cannot move yet
      assertThat(r.observe(0, true, 100, now)).as("tick %d", now).isEqualTo(Verdict.CATCHING_UP);
    }
    // Installed: the match index jumps to the snapshot and the round goes on.
    assertThat(r.observe(90, true, 100, 105)).isEqualTo(Verdict.CATCHING_UP);
    // Silent from here: given up after the stall bound, as without snapshots.
    assertThat(r.observe(90, true, 100, 135)).isEqualTo(Verdict.CATCHING_UP);
    assertThat(r.observe(90, true, 100, 136)).isEqualTo(Verdict.NOT_CAUGHT_UP);
  }
}
