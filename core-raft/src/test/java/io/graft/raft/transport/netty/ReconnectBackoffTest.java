package io.graft.raft.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Back-off doubles from min to max with equal jitter in [d/2, d], and resets after success. */
class ReconnectBackoffTest {
  @Test
  void doublesWithJitterUpToTheCapAndResets() {
    long seed = 7;
    ReconnectBackoff backoff = new ReconnectBackoff(50, 2000, new SplittableRandom(seed));
    long[] ceilings = {50, 100, 200, 400, 800, 1600, 2000, 2000, 2000};
    for (long d : ceilings) {
      assertThat(backoff.nextDelayMillis()).as("seed %d ceiling %d", seed, d)
          .isBetween(d / 2, d);
    }
    backoff.reset();
    assertThat(backoff.nextDelayMillis()).isBetween(25L, 50L);
  }

  @Test
  void jitterSpreadsDelays() {
    ReconnectBackoff backoff = new ReconnectBackoff(1000, 1000, new SplittableRandom(1));
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (int i = 0; i < 50; i++) {
      seen.add(backoff.nextDelayMillis());
    }
    assertThat(seen).hasSizeGreaterThan(10).allMatch(d -> d >= 500 && d <= 1000);
  }
}
