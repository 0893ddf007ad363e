package io.graft.cluster;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Every wait of the cluster harness: a bounded Awaitility condition, never a sleep. Tests, the
 * harness itself and the benchmarks wait through here or through Awaitility directly; the no-sleep
 * rule (core-raft's {@code io.graft.raft.arch.NoSleep}, applied in every test module and to this
 * module) keeps {@code Thread.sleep} and {@code LockSupport.parkNanos} out.
 *
 * <p>Defaults: the first check at once, then every {@link #POLL}; exceptions of other threads are
 * not collected (a background writer's failure is its own business, not the wait's).
 */
public final class Waits {
  /** The default interval between two checks of a condition. */
  public static final Duration POLL = Duration.ofMillis(100);

  private Waits() {}

  /** Awaitility, named {@code what}, with the harness defaults; the caller sets the bound. */
  public static ConditionFactory await(String what) {
    return Awaitility.await(what)
        .pollDelay(Duration.ZERO)
        .pollInterval(POLL)
        .dontCatchUncaughtExceptions();
  }

  /**
   * Evaluates {@code probe} every {@code poll} until {@code done} accepts its value, and returns
   * that value. An exception thrown by {@code probe} ends the wait at once (callers that expect
   * failures while they wait catch them inside the probe and return a value saying so).
   *
   * @throws IllegalStateException when {@code bound} passed first; the message names {@code
   *     what}, the bound and the last value seen
   */
  public static <T> T until(String what, Duration bound, Duration poll, Callable<T> probe,
      Predicate<? super T> done) {
    AtomicReference<Object> last = new AtomicReference<>("(not evaluated yet)");
    try {
      return await(what).atMost(bound).pollInterval(poll).until(() -> {
        T value = probe.call();
        last.set(value);
        return value;
      }, done::test);
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(
          what + ": not within " + bound.toMillis() + " ms; last seen: " + last.get(), e);
    }
  }

  /** {@link #until} every {@link #POLL}. */
  public static <T> T until(String what, Duration bound, Callable<T> probe,
      Predicate<? super T> done) {
    return until(what, bound, POLL, probe, done);
  }

  /**
   * True once {@code done} holds, false if {@code bound} passed first: for loops that go on either
   * way (a background writer waiting for a leader, a forwarder holding a connection).
   */
  public static boolean within(Duration bound, Duration poll, BooleanSupplier done) {
    try {
      Awaitility.await().pollDelay(Duration.ZERO).pollInterval(poll).atMost(bound)
          .dontCatchUncaughtExceptions().until(done::getAsBoolean);
      return true;
    } catch (ConditionTimeoutException e) {
      return false;
    }
  }

  /**
   * Waits at least {@code gap} and then until {@code done} holds, at most {@code bound}: a retry
   * that must not hammer a failing server, expressed as a condition (Awaitility's poll delay).
   *
   * @return whether {@code done} held within the bound
   */
  public static boolean after(Duration gap, Duration bound, BooleanSupplier done) {
    try {
      Awaitility.await().pollDelay(gap).pollInterval(gap.isZero() ? POLL : gap)
          .atMost(bound.plus(gap)).dontCatchUncaughtExceptions().until(done::getAsBoolean);
      return true;
    } catch (ConditionTimeoutException e) {
      return false;
    }
  }
}
