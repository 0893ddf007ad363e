package io.graft.it.check;

import static io.graft.it.check.RegisterOp.cas;
import static io.graft.it.check.RegisterOp.pendingCas;
import static io.graft.it.check.RegisterOp.pendingWrite;
import static io.graft.it.check.RegisterOp.read;
import static io.graft.it.check.RegisterOp.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.graft.it.check.LinearizabilityResult.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Validates the linearizability checker before any workload trusts it (docs/TESTING.md Tier 5).
 * First the classic hand-written histories, each with the verdict a human can derive; then
 * randomized histories generated from a real sequential register (linearizable by construction) and
 * their mutations, cross-checked against an exponential brute-force oracle. Randomized tests print
 * their seed in every failure message; {@code -Dchecker.seed=N} replays one seed.
 */
class LinearizabilityCheckerTest {

  private static final String K = "r";
  private static final LinearizabilityChecker CHECKER =
      new LinearizabilityChecker(Duration.ofSeconds(10));

  private static Verdict verdict(RegisterOp... ops) {
    return CHECKER.check(List.of(ops)).verdict();
  }

  @Test
  void emptyHistoryAndSequentialHistoryAreLinearizable() {
    assertThat(verdict()).isEqualTo(Verdict.LINEARIZABLE);
    assertThat(verdict(read(0, K, null, 0, 1), write(0, K, 1, 2, 3), read(1, K, 1L, 4, 5)))
        .isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void staleReadAfterACompletedWriteIsCaught() {
    assertThat(verdict(write(0, K, 1, 0, 10), read(1, K, null, 20, 30)))
        .isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(verdict(write(0, K, 1, 0, 10), write(0, K, 2, 20, 30), read(1, K, 1L, 40, 50)))
        .isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void readConcurrentWithAWriteMaySeeEitherValue() {
    assertThat(verdict(write(0, K, 1, 0, 10), read(1, K, null, 5, 15)))
        .isEqualTo(Verdict.LINEARIZABLE);
    assertThat(verdict(write(0, K, 1, 0, 10), read(1, K, 1L, 5, 15)))
        .isEqualTo(Verdict.LINEARIZABLE);
    // Both orders are fine alone, but two sequential reads cannot see new then old.
    assertThat(verdict(write(0, K, 1, 0, 100), read(1, K, 1L, 5, 15), read(1, K, null, 20, 30)))
        .isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void touchingIntervalsCountAsConcurrent() {
    assertThat(verdict(write(0, K, 1, 0, 10), read(1, K, null, 10, 20)))
        .isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void readingAValueNobodyWroteIsCaught() {
    assertThat(verdict(write(0, K, 1, 0, 10), read(1, K, 7L, 5, 15)))
        .isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void casChainsFollowTheRegister() {
    assertThat(verdict(write(0, K, 0, 0, 1), cas(0, K, 0L, 1, true, 2, 3),
        cas(1, K, 1L, 2, true, 4, 5), cas(2, K, 1L, 3, false, 6, 7), read(0, K, 2L, 8, 9)))
        .isEqualTo(Verdict.LINEARIZABLE);
    assertThat(verdict(write(0, K, 0, 0, 1), cas(0, K, 0L, 1, true, 2, 3),
        cas(1, K, 0L, 2, true, 4, 5)))
        .isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(verdict(write(0, K, 0, 0, 1), cas(0, K, 0L, 1, false, 2, 3)))
        .as("a CAS that fails although the value matched")
        .isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(verdict(cas(0, K, null, 5, true, 0, 1), read(0, K, 5L, 2, 3)))
        .as("CAS from absent")
        .isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void lostUpdateIsCaught() {
    // Two concurrent CAS from the same expected value cannot both succeed.
    assertThat(verdict(write(0, K, 0, 0, 1), cas(1, K, 0L, 1, true, 2, 10),
        cas(2, K, 0L, 2, true, 3, 11)))
        .isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(verdict(write(0, K, 0, 0, 1), cas(1, K, 0L, 1, true, 2, 10),
        cas(2, K, 0L, 2, false, 3, 11), read(0, K, 1L, 12, 13)))
        .isEqualTo(Verdict.LINEARIZABLE);
    // Both writes done; the register cannot return to the overwritten value.
    assertThat(verdict(write(1, K, 1, 0, 10), write(2, K, 2, 0, 10), read(0, K, 1L, 20, 30),
        read(0, K, 2L, 40, 50)))
        .isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void pendingWriteMayTakeEffectLaterOrNever() {
    assertThat(verdict(pendingWrite(0, K, 1, 0), read(1, K, 1L, 10, 20)))
        .as("assumed applied").isEqualTo(Verdict.LINEARIZABLE);
    assertThat(verdict(pendingWrite(0, K, 1, 0), read(1, K, null, 10, 20)))
        .as("assumed never applied").isEqualTo(Verdict.LINEARIZABLE);
    assertThat(verdict(pendingWrite(0, K, 1, 0), read(1, K, null, 5, 8), read(1, K, 1L, 10, 20)))
        .as("applied after a while").isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void pendingWriteCannotBeUnappliedOrTakeEffectBeforeItsInvocation() {
    assertThat(verdict(pendingWrite(0, K, 1, 0), read(1, K, 1L, 10, 20), read(1, K, null, 30, 40)))
        .isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(verdict(read(1, K, 1L, 0, 5), pendingWrite(0, K, 1, 10)))
        .isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void pendingCasAppliesOnlyWhenItsExpectationHolds() {
    assertThat(verdict(write(0, K, 0, 0, 1), pendingCas(1, K, 0L, 5, 2), read(0, K, 5L, 10, 11)))
        .isEqualTo(Verdict.LINEARIZABLE);
    assertThat(verdict(write(0, K, 0, 0, 1), pendingCas(1, K, 7L, 5, 2), read(0, K, 5L, 10, 11)))
        .isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(verdict(write(0, K, 0, 0, 1), pendingCas(1, K, 0L, 5, 2), read(0, K, 5L, 10, 11),
        read(0, K, 0L, 12, 13)))
        .isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void keysAreCheckedIndependentlyAndTheFailingKeyIsNamed() {
    LinearizabilityResult r = CHECKER.check(List.of(
        write(0, "a", 1, 0, 10), read(1, "a", 1L, 20, 30),
        write(0, "b", 1, 0, 10), read(1, "b", null, 20, 30)));
    assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(r.failedKey()).isEqualTo("b");
    assertThat(r.describe()).contains("key b").contains("read -> null");
  }

  @Test
  void initialValuesAreHonoured() {
    LinearizabilityChecker withInitial =
        new LinearizabilityChecker(Duration.ofSeconds(5), Map.of(K, 3L));
    assertThat(withInitial.check(List.of(read(0, K, 3L, 0, 1))).ok()).isTrue();
    assertThat(withInitial.check(List.of(read(0, K, null, 0, 1))).ok()).isFalse();
  }

  @Test
  void exhaustedBudgetIsATimeoutNeverAPass() {
    List<RegisterOp> big = RandomHistories.linearizable(new Random(7),
        new RandomHistories.Shape(8, 400, 3, 0.05, K));
    LinearizabilityResult r = new LinearizabilityChecker(Duration.ZERO).check(big);
    assertThat(r.verdict()).isEqualTo(Verdict.TIMEOUT);
    assertThat(r.ok()).isFalse();
  }

  @Test
  void generatedHistoriesAgreeWithTheBruteForceOracle() {
    long base = Long.getLong("checker.seed", System.nanoTime());
    int seeds = Long.getLong("checker.seed") != null ? 1 : 400;
    int broken = 0;
    for (int s = 0; s < seeds; s++) {
      long seed = base + s;
      Random rnd = new Random(seed);
      RandomHistories.Shape shape = new RandomHistories.Shape(
          2 + rnd.nextInt(2), 1 + rnd.nextInt(3), 2 + rnd.nextInt(2), 0.2, K);
      List<RegisterOp> good = RandomHistories.linearizable(rnd, shape);
      assertThat(CHECKER.check(good).verdict()).as("seed=%d %s", seed, good)
          .isEqualTo(Verdict.LINEARIZABLE);
      assertThat(BruteForceOracle.linearizable(good)).as("oracle seed=%d %s", seed, good).isTrue();
      List<RegisterOp> mutated = RandomHistories.mutate(rnd, good, shape.valueDomain());
      boolean expected = BruteForceOracle.linearizable(mutated);
      Verdict got = CHECKER.check(mutated).verdict();
      assertThat(got).as("seed=%d %s", seed, mutated)
          .isEqualTo(expected ? Verdict.LINEARIZABLE : Verdict.NOT_LINEARIZABLE);
      broken += expected ? 0 : 1;
    }
    if (seeds > 1) {
      assertThat(broken).as("mutations that broke linearizability, base seed=%d", base)
          .isGreaterThan(seeds / 10);
    }
  }

  @Test
  void largeGeneratedHistoriesAreLinearizableAndTheirCorruptionsAreCaught() {
    long base = Long.getLong("checker.seed", System.nanoTime());
    int stales = 0;
    for (int s = 0; s < 20; s++) {
      long seed = base + s;
      Random rnd = new Random(seed);
      List<RegisterOp> good = RandomHistories.linearizable(rnd,
          new RandomHistories.Shape(4, 50, 6, 0.02, K));
      LinearizabilityResult ok = CHECKER.check(good);
      assertThat(ok.verdict()).as("seed=%d %s", seed, ok.describe())
          .isEqualTo(Verdict.LINEARIZABLE);

      // A read of a value no operation ever wrote.
      List<RegisterOp> phantom = new ArrayList<>(good);
      RegisterOp victim = firstCompletedRead(phantom);
      if (victim != null) {
        phantom.set(phantom.indexOf(victim), read(victim.process(), K, 99L,
            victim.invokeNanos(), victim.returnNanos()));
        assertThat(CHECKER.check(phantom).verdict()).as("phantom seed=%d", seed)
            .isEqualTo(Verdict.NOT_LINEARIZABLE);
      }

      // After everything has returned: a write of a fresh value, then a read of an older value
      // that no pending operation could still install (a pending one legitimately could).
      Long old = staleCandidate(good);
      if (old != null) {
        long end = good.stream()
            .mapToLong(op -> op.pending() ? op.invokeNanos() : op.returnNanos()).max().orElse(0);
        List<RegisterOp> stale = new ArrayList<>(good);
        stale.add(write(9, K, 1000, end + 100, end + 101));
        stale.add(read(9, K, old, end + 102, end + 103));
        assertThat(CHECKER.check(stale).verdict()).as("stale seed=%d", seed)
            .isEqualTo(Verdict.NOT_LINEARIZABLE);
        stales++;
      }
    }
    assertThat(stales).as("stale-read corruptions exercised, base seed=%d", base)
        .isGreaterThan(0);
  }

  /** A value some completed write installed and no pending write or CAS could install later. */
  private static Long staleCandidate(List<RegisterOp> ops) {
    Set<Long> installable = new HashSet<>();
    for (RegisterOp op : ops) {
      if (op.pending()) {
        installable.add(op.kind() == RegisterOp.Kind.CAS ? op.newValue() : op.value());
      }
    }
    return ops.stream().filter(op -> op.kind() == RegisterOp.Kind.WRITE && !op.pending())
        .map(RegisterOp::value).filter(v -> !installable.contains(v)).findFirst().orElse(null);
  }

  private static RegisterOp firstCompletedRead(List<RegisterOp> ops) {
    return ops.stream().filter(op -> op.kind() == RegisterOp.Kind.READ && !op.pending())
        .findFirst().orElse(null);
  }

  /**
   * Histories shaped like the register workload's under faults: unique written values, several
   * clients, a few percent of operations left pending (killed leader). They must be proven
   * linearizable within the budget the workload uses, and a stale read appended at the end must
   * be proven not linearizable. Measured: 160 ops with ~6 pending decide in under 1.5 s; 600 ops
   * with 25 pending on ONE key did not finish a non-linearizable proof in 60 s (each pending op
   * stays concurrent with everything after it). Hence the register workload rotates to fresh
   * keys every {@code opsPerKey} operations, as Jepsen's independent-key histories do.
   */
  @Test
  void workloadShapedHistoriesWithPendingOpsAreDecidedWithinTheBudget() {
    long base = Long.getLong("checker.seed", System.nanoTime());
    LinearizabilityChecker workloadBudget = new LinearizabilityChecker(Duration.ofSeconds(60));
    for (int s = 0; s < 5; s++) {
      long seed = base + s;
      List<RegisterOp> good = RandomHistories.linearizable(new Random(seed),
          new RandomHistories.Shape(4, 40, 0, 0.05, K));
      LinearizabilityResult ok = workloadBudget.check(good);
      System.out.println("unique-value history of " + good.size() + " ops, "
          + good.stream().filter(RegisterOp::pending).count() + " pending: " + ok.describe());
      assertThat(ok.verdict()).as("seed=%d %s", seed, ok.describe())
          .isEqualTo(Verdict.LINEARIZABLE);
      Long old = staleCandidate(good);
      if (old != null) {
        long end = good.stream()
            .mapToLong(op -> op.pending() ? op.invokeNanos() : op.returnNanos()).max().orElse(0);
        List<RegisterOp> stale = new ArrayList<>(good);
        stale.add(write(9, K, -1, end + 100, end + 101));
        stale.add(read(9, K, old, end + 102, end + 103));
        LinearizabilityResult bad = workloadBudget.check(stale);
        System.out.println("  with a stale read appended: " + bad.verdict() + " in "
            + bad.elapsed().toMillis() + " ms");
        assertThat(bad.verdict()).as("stale seed=%d", seed).isEqualTo(Verdict.NOT_LINEARIZABLE);
      }
    }
  }
}
