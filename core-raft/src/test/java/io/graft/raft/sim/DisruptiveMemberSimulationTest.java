package io.graft.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Tier 2, disruptive servers (thesis §4.2.3): each seed runs the CI sweep's chaos and liveness
 * phases, then {@link Simulation#withDisruptiveMember}'s disruption phase: a follower is cut off
 * and removed, restarts WITHOUT PreVote still believing it is a voter, is reconnected and
 * campaigns with ever higher terms for {@link Simulation#DISRUPTION_TICKS} ticks under client
 * load. With the lease rule the leader must keep its leadership and term and nobody else may start
 * an election, in every seed; with the rule switched off (the same seeds) the removed member must
 * depose the leader in most of them, which shows the check can fail. Safety is checked after every
 * event in both.
 *
 * <p>Properties: {@code -Dsim.disruptionSeeds} (default 10 per size, from the random base of
 * {@link SimSeeds}), {@code -Dsim.events}, {@code -Dsim.disruptionTicks}. A failing seed prints its
 * replay line: {@code -Dtest=DisruptiveMemberSimulationTest#replaysOneSeed -Dsim.seed=N
 * -Dsim.members=M [-Dsim.leaseRule=false]}.
 */
class DisruptiveMemberSimulationTest {
  private static final long SEEDS = Long.getLong("sim.disruptionSeeds", 10);
  private static final int EVENTS = Integer.getInteger("sim.events", 2000);

  @Test
  void aRemovedMemberWithoutPreVoteNeverDisturbsTheLeader() {
    assumeTrue(System.getProperty("sim.seed") == null, "replaying a single seed");
    for (int members : List.of(3, 5)) {
      Tally with = sweep(members, true);
      Tally without = sweep(members, false);
      System.out.printf(
          "disruption: %d members, %d seeds from %d, %d ticks each: lease rule on: %d of %d seeds"
              + " disturbed, %d elections by the cluster, %d by the removed member; rule off: %d"
              + " of %d disturbed, %d elections by the cluster, %d by the removed member%n",
          members, SEEDS, SimSeeds.base(), Simulation.DISRUPTION_TICKS, with.disturbed.size(),
          SEEDS, with.clusterElections, with.disruptorElections, without.disturbed.size(), SEEDS,
          without.clusterElections, without.disruptorElections);
      assertThat(with.disruptorElections)
          .as("the removed member campaigned (else the check proves nothing)")
          .isGreaterThanOrEqualTo(SEEDS);
      assertThat(with.disturbed)
          .as("seeds where the removed member disturbed the cluster")
          .isEmpty();
      assertThat(without.disturbed.size())
          .as("without the rule the removed member must disturb most seeds")
          .isGreaterThan((int) (SEEDS * 3 / 4));
    }
  }

  /** Opt-in: {@code -Dsim.seed=N -Dsim.members=M [-Dsim.leaseRule=false]} replays one run. */
  @Test
  @EnabledIfSystemProperty(named = "sim.seed", matches = "-?[0-9]+")
  void replaysOneSeed() {
    long seed = Long.getLong("sim.seed");
    int members = Integer.getInteger("sim.members", 3);
    boolean leaseRule = Boolean.parseBoolean(System.getProperty("sim.leaseRule", "true"));
    Simulation sim = new Simulation(seed, members, 0, EVENTS).withDisruptiveMember(leaseRule);
    sim.run();
    System.out.println("seed " + seed + " members " + members + ": " + sim.disruption());
  }

  private static final class Tally {
    final List<String> disturbed = new ArrayList<>();
    long clusterElections;
    long disruptorElections;
  }

  private static Tally sweep(int members, boolean leaseRule) {
    Tally tally = new Tally();
    long base = SimSeeds.base();
    for (long seed = base; seed < base + SEEDS; seed++) {
      Simulation sim = new Simulation(seed, members, 0, EVENTS).withDisruptiveMember(leaseRule);
      try {
        sim.run();
      } catch (SimulationFailure failure) {
        System.out.println(replay(seed, members, leaseRule));
        throw failure;
      }
      Simulation.Disruption d = sim.disruption();
      tally.clusterElections += d.othersElections();
      tally.disruptorElections += d.disruptorElections();
      if (d.disrupted()) {
        tally.disturbed.add(seed + ": " + d + " (" + replay(seed, members, leaseRule) + ")");
      }
    }
    return tally;
  }

  private static String replay(long seed, int members, boolean leaseRule) {
    return "replay: mvn -B -q -pl core-raft -am test"
        + " -Dtest=DisruptiveMemberSimulationTest#replaysOneSeed"
        + " -Dsurefire.failIfNoSpecifiedTests=false"
        + " -Dsim.seed=" + seed + " -Dsim.members=" + members
        + (leaseRule ? "" : " -Dsim.leaseRule=false");
  }
}
