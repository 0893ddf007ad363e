package io.graft.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Tier 2 (docs/TESTING.md): runs the deterministic {@link Simulation} for many seeds, with 3 and 5
 * members, checking Raft's safety properties after every event and liveness after healing.
 *
 * <p>Properties: {@code -Dsim.seeds} (default 500 seeds from a random base, see {@link SimSeeds};
 * {@code -Dsim.seedBase=B} pins the base), {@code -Dsim.events} (chaos events per run, default
 * 2000). A failing seed prints one {@code replay:} line to stdout that reruns exactly that run:
 * {@code -Dtest=SimulationTest#replaysOneSeed -Dsim.seed=N -Dsim.members=M}, plus {@code
 * -Dsim.spares=2} for a membership run and {@code -Dsim.broken=VARIANT} for a broken variant of
 * the mutation proof (without {@code -Dsim.members} both sizes are replayed).
 */
class SimulationTest {
  private static final long SEEDS = Long.getLong("sim.seeds", 500);
  private static final int EVENTS = Integer.getInteger("sim.events", 2000);
  private static final Long SINGLE_SEED = Long.getLong("sim.seed");
  private static final Integer SINGLE_MEMBERS = Integer.getInteger("sim.members");
  private static final int SINGLE_SPARES = Integer.getInteger("sim.spares", 0);
  private static final String SINGLE_BROKEN = System.getProperty("sim.broken", "");

  @Test
  @EnabledIf("sweeping")
  void threeMembersStaySafeAndLiveForEverySeed() {
    sweep(3);
  }

  @Test
  @EnabledIf("sweeping")
  void fiveMembersStaySafeAndLiveForEverySeed() {
    sweep(5);
  }

  /** The sweeps run unless {@code -Dsim.seed=N} asks for one seed's replay. */
  static boolean sweeping() {
    return SINGLE_SEED == null;
  }

  /** Opt-in: {@code -Dsim.seed=N} replays one seed. */
  @Test
  @EnabledIfSystemProperty(named = "sim.seed", matches = "-?[0-9]+")
  void replaysOneSeed() {
    List<Integer> sizes = SINGLE_MEMBERS != null ? List.of(SINGLE_MEMBERS) : List.of(3, 5);
    BrokenVariant broken = SINGLE_BROKEN.isEmpty() ? null : BrokenVariant.valueOf(SINGLE_BROKEN);
    for (int members : sizes) {
      Simulation.Result result;
      try {
        result = new Simulation(SINGLE_SEED, members, SINGLE_SPARES, EVENTS, broken).run();
      } catch (SimulationFailure failure) {
        System.out.println("caught by " + failure.caughtBy());
        System.out.println(failure.replayCommand());
        throw failure;
      }
      System.out.println("seed " + SINGLE_SEED + " members " + members + ": " + result);
    }
  }

  /** Determinism: one seed, two runs, equal trace hashes; distinct seeds, distinct traces. */
  @Test
  void sameSeedGivesSameTraceHash() {
    for (int members : List.of(3, 5)) {
      for (long seed = 0; seed < 5; seed++) {
        long first = runReporting(seed, members).traceHash();
        long second = runReporting(seed, members).traceHash();
        assertThat(second).as("trace hash of seed %d, %d members", seed, members).isEqualTo(first);
      }
      assertThat(runReporting(1, members).traceHash())
          .as("different seeds must explore different traces")
          .isNotEqualTo(runReporting(2, members).traceHash());
    }
  }

  /**
   * Determinism across processes: a replay runs in a fresh JVM, where Set.of/Map.of iteration order
   * (per-JVM salt) and identity hash codes differ. Three child JVMs must reproduce the trace hash
   * of the in-process run; so must a run with membership changes (two joining spares), whose
   * outcomes name member sets.
   */
  @Test
  void sameSeedGivesSameTraceHashInOtherJvms() throws Exception {
    long seed = 3;
    int members = 5;
    int events = 400;
    long expected = new Simulation(seed, members, events).run().traceHash();
    for (int jvm = 0; jvm < 3; jvm++) {
      assertThat(traceHashInChildJvm(seed, members, 0, events))
          .as("trace hash of seed %d in child JVM %d", seed, jvm)
          .isEqualTo(expected);
    }
    // The first seed whose run completes a membership change (outcomes name member sets).
    long changeSeed = 0;
    Simulation.Result withChanges = new Simulation(changeSeed, 3, 2, 2000).run();
    while (withChanges.membershipChangesDone() == 0 && changeSeed < 20) {
      withChanges = new Simulation(++changeSeed, 3, 2, 2000).run();
    }
    assertThat(withChanges.membershipChangesDone())
        .as("membership changes in seeds 0..%d", changeSeed).isPositive();
    for (int jvm = 0; jvm < 2; jvm++) {
      assertThat(traceHashInChildJvm(changeSeed, 3, 2, 2000))
          .as("trace hash of seed %d with 2 spares in child JVM %d", changeSeed, jvm)
          .isEqualTo(withChanges.traceHash());
    }
  }

  private static long traceHashInChildJvm(long seed, int members, int spares, int events)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                SimulationMain.class.getName(),
                Long.toString(seed),
                Integer.toString(members),
                Integer.toString(events),
                Integer.toString(spares))
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
    assertThat(process.exitValue()).as("child JVM exit, output: %s", output).isZero();
    Matcher m = Pattern.compile("traceHash=(-?\\d+)").matcher(output);
    assertThat(m.find()).as("trace hash in child output: %s", output).isTrue();
    return Long.parseLong(m.group(1));
  }

  private void sweep(int members) {
    long started = System.nanoTime();
    long events = 0;
    long committed = 0;
    long crashes = 0;
    long livenessTicksMax = 0;
    long compactions = 0;
    long installs = 0;
    long base = SimSeeds.base();
    for (long seed = base; seed < base + SEEDS; seed++) {
      Simulation.Result result = runReporting(seed, members);
      events += result.events();
      committed += result.committed();
      crashes += result.crashes();
      livenessTicksMax = Math.max(livenessTicksMax, result.livenessTicks());
      compactions += result.compactions();
      installs += result.snapshotInstalls();
      // A run that commits nothing exercised nothing: the chaos must leave room for progress.
      assertThat(result.committed())
          .as("entries committed by seed %d (%s)", seed,
              SimulationFailure.replayCommand(seed, members, 0, EVENTS, null))
          .isPositive();
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    System.out.printf(
        "simulation: %d members, %d seeds [%d, %d), %d events, %d committed, %d crashes, "
            + "%d compactions, %d snapshot installs, slowest liveness %d ticks, %d ms%n",
        members, SEEDS, base, base + SEEDS, events, committed, crashes, compactions, installs,
        livenessTicksMax, millis);
    // Snapshots are part of every run (thesis §5): the sweep must actually install some.
    if (SEEDS >= 20) {
      assertThat(installs).as("snapshot installs over %d seeds", SEEDS).isPositive();
    }
  }

  private static Simulation.Result runReporting(long seed, int members) {
    try {
      return new Simulation(seed, members, EVENTS).run();
    } catch (SimulationFailure failure) {
      System.out.println(failure.replayCommand());
      throw failure;
    }
  }
}
