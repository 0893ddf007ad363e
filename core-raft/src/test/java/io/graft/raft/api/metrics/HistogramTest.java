package io.graft.raft.api.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HistogramTest {

  @Test
  void boundsAreTheR10SeriesFromTenMicrosecondsToOneHundredSeconds() {
    assertThat(HistogramSnapshot.bucketCount()).isEqualTo(72);
    assertThat(HistogramSnapshot.upperBoundSeconds(0)).isEqualTo(10e-6);
    assertThat(HistogramSnapshot.upperBoundSeconds(1)).isEqualTo(12.5e-6);
    assertThat(HistogramSnapshot.upperBoundSeconds(5)).isEqualTo(32e-6);
    assertThat(HistogramSnapshot.upperBoundSeconds(30)).isEqualTo(0.01);
    assertThat(HistogramSnapshot.upperBoundSeconds(70)).isEqualTo(100.0);
    assertThat(HistogramSnapshot.upperBoundSeconds(71)).isEqualTo(Double.POSITIVE_INFINITY);
    for (int i = 1; i < HistogramSnapshot.bucketCount() - 1; i++) {
      double ratio = HistogramSnapshot.upperBoundSeconds(i) / HistogramSnapshot.upperBoundSeconds(i - 1);
      assertThat(ratio).as("bucket %d", i).isBetween(1.2, 1.29);
    }
  }

  @Test
  void aValueOnABoundCountsInThatBucketLikePrometheusLe() {
    Histogram h = new Histogram();
    h.recordNanos(10_000); // exactly 10 us
    h.recordNanos(10_001);
    h.recordNanos(-5); // clamped to 0
    h.recordNanos(TimeUnit.SECONDS.toNanos(1000)); // overflow
    HistogramSnapshot s = h.snapshot();
    assertThat(s.bucketCount(0)).isEqualTo(2);
    assertThat(s.bucketCount(1)).isEqualTo(1);
    assertThat(s.bucketCount(71)).isEqualTo(1);
    assertThat(s.cumulativeCount(0)).isEqualTo(2);
    assertThat(s.cumulativeCount(70)).isEqualTo(3);
    assertThat(s.cumulativeCount(71)).isEqualTo(s.count()).isEqualTo(4);
    assertThat(s.sumSeconds()).isCloseTo(1000.000020001, within(1e-9));
    assertThat(s.maxSeconds()).isEqualTo(1000.0);
    assertThat(s.quantileSeconds(1.0)).as("overflow quantile is the exact max").isEqualTo(1000.0);
  }

  @Test
  void quantilesAreWithinOneBucketWidthOfTheExactOnes() {
    SplittableRandom random = new SplittableRandom(7);
    Histogram h = new Histogram();
    long[] values = new long[200_000];
    for (int i = 0; i < values.length; i++) {
      // log-normal around 2 ms, a wide spread like real fsync latencies
      values[i] = (long) (2e6 * Math.exp(random.nextGaussian() * 0.8));
      h.recordNanos(values[i]);
    }
    Arrays.sort(values);
    HistogramSnapshot s = h.snapshot();
    for (double q : new double[] {0.5, 0.9, 0.99, 0.999}) {
      double exact = values[(int) Math.ceil(q * values.length) - 1] / 1e9;
      assertThat(s.quantileSeconds(q)).as("q=%s", q).isCloseTo(exact, within(exact * 0.13));
    }
    assertThat(s.p50Seconds()).isEqualTo(s.quantileSeconds(0.5));
    assertThat(s.meanSeconds()).isCloseTo(Arrays.stream(values).average().orElseThrow() / 1e9,
        within(1e-9));
    assertThatThrownBy(() -> s.quantileSeconds(1.5)).isInstanceOf(IllegalArgumentException.class);
    assertThat(HistogramSnapshot.EMPTY.p99Seconds()).isZero();
  }

  @Test
  void aSnapshotDoesNotChangeWhenRecordingGoesOnAndMinusGivesTheWindow() {
    Histogram h = new Histogram();
    h.recordNanos(1_000_000);
    HistogramSnapshot first = h.snapshot();
    h.recordNanos(3_000_000);
    h.recordNanos(3_000_000);
    HistogramSnapshot second = h.snapshot();
    assertThat(first.count()).isEqualTo(1);
    assertThat(first.sumSeconds()).isEqualTo(0.001);
    HistogramSnapshot window = second.minus(first);
    assertThat(window.count()).isEqualTo(2);
    assertThat(window.sumSeconds()).isCloseTo(0.006, within(1e-12));
    assertThat(window.p50Seconds()).isCloseTo(0.003, within(0.0004));
    assertThat(h.snapshot()).isEqualTo(second);
  }

  @Test
  void concurrentRecordersLoseNothing() throws Exception {
    Histogram h = new Histogram();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      long value = (t + 1) * 1_000_000L;
      threads.add(new Thread(() -> {
        for (int i = 0; i < 100_000; i++) {
          h.recordNanos(value);
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    HistogramSnapshot s = h.snapshot();
    assertThat(s.count()).isEqualTo(400_000);
    assertThat(s.sumSeconds()).isCloseTo(100_000 * (0.001 + 0.002 + 0.003 + 0.004), within(1e-6));
    assertThat(s.maxSeconds()).isEqualTo(0.004);
  }

  @Test
  void recordingAllocatesNothing() {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Histogram h = new Histogram();
    Counter c = new Counter();
    long id = Thread.currentThread().getId();
    for (int i = 0; i < 100_000; i++) { // warm up (class loading, JIT)
      h.recordNanos(i * 997L);
      c.increment();
    }
    long before = mx.getThreadAllocatedBytes(id);
    for (int i = 0; i < 1_000_000; i++) {
      h.recordNanos(i * 997L);
      c.add(1);
    }
    long allocated = mx.getThreadAllocatedBytes(id) - before;
    assertThat(allocated).as("bytes allocated by 1,000,000 records").isLessThan(1024);
    assertThat(c.get()).isEqualTo(1_100_000);
    assertThatThrownBy(() -> c.add(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void raftMetricsHasEveryStageAndAnImmutableMap() {
    RaftMetrics m = RaftMetrics.EMPTY;
    assertThat(m.leaderStages()).containsOnlyKeys(LeaderStage.values());
    assertThat(m.stage(LeaderStage.COMMITTED).count()).isZero();
    assertThat(m.entriesPerFsync()).isZero();
    assertThatThrownBy(() -> m.leaderStages().put(LeaderStage.SENT, HistogramSnapshot.EMPTY))
        .isInstanceOf(UnsupportedOperationException.class);
    RaftMetrics n = new RaftMetrics(3, 10, 1, 2, 1, 4, 10, HistogramSnapshot.EMPTY,
        java.util.Map.of());
    assertThat(n.entriesPerFsync()).isEqualTo(2.5);
  }
}
