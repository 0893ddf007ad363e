package io.graft.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The harness's waits: values, bounds, what a timeout says, and failures that end a wait. */
class WaitsTest {

  @Test
  void untilReturnsTheFirstValueTheConditionAccepts() {
    AtomicInteger calls = new AtomicInteger();
    int value = Waits.until("the third call", Duration.ofSeconds(10), Duration.ofMillis(1),
        calls::incrementAndGet, n -> n >= 3);
    assertThat(value).isEqualTo(3);
  }

  @Test
  void aTimeoutNamesTheWaitTheBoundAndTheLastValue() {
    assertThatThrownBy(() -> Waits.until("a miracle", Duration.ofMillis(200),
        Duration.ofMillis(10), () -> "still nothing", v -> false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("a miracle")
        .hasMessageContaining("200 ms")
        .hasMessageContaining("still nothing");
  }

  @Test
  void anExceptionOfTheProbeEndsTheWaitAtOnceAndUnchanged() {
    long began = System.nanoTime();
    assertThatThrownBy(() -> Waits.until("a dead server", Duration.ofSeconds(30),
        () -> {
          throw new UncheckedIOException("member-1 exited during start-up", new IOException());
        }, v -> true))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessage("member-1 exited during start-up");
    assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void anAssertionErrorOfTheProbeEndsTheWaitUnchanged() {
    assertThatThrownBy(() -> Waits.until("a checked step", Duration.ofSeconds(30),
        () -> {
          throw new AssertionError("write 7 took too long");
        }, v -> true))
        .isInstanceOf(AssertionError.class)
        .hasMessage("write 7 took too long");
  }

  @Test
  void withinSaysWhetherTheConditionHeldInTime() {
    AtomicInteger calls = new AtomicInteger();
    assertThat(Waits.within(Duration.ofSeconds(10), Duration.ofMillis(1),
        () -> calls.incrementAndGet() >= 2)).isTrue();
    assertThat(Waits.within(Duration.ofMillis(100), Duration.ofMillis(10), () -> false)).isFalse();
  }

  @Test
  void afterWaitsAtLeastTheGapBeforeTheFirstCheck() {
    long began = System.nanoTime();
    assertThat(Waits.after(Duration.ofMillis(150), Duration.ofSeconds(5), () -> true)).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - began))
        .isGreaterThanOrEqualTo(Duration.ofMillis(150));
  }
}
