package io.graft.raft.api.metrics;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A latency histogram with fixed, log-scale bucket bounds: thread-safe and allocation-free to
 * record into (a binary search over {@link #BOUNDS_NANOS} and two atomic adds), cheap to {@link
 * #snapshot}. The bounds are the same for every histogram, so one maps 1:1 onto a Prometheus
 * histogram ({@code le} = {@link HistogramSnapshot#upperBoundSeconds}, cumulative counts, sum,
 * count) and any two can be compared bucket by bucket.
 *
 * <p>Bounds: the rounded Renard R10 series (1, 1.25, 1.6, 2, 2.5, 3.2, 4, 5, 6.3, 8 × 10^k: ten
 * per decade, neighbours at most 1.28× apart) from 10 µs to 100 s, plus an overflow bucket. A
 * quantile estimated from them is off by at most that bucket width (under ±13 %); the exact
 * maximum is kept too.
 */
public final class Histogram {
  private static final double[] R10 = {1.0, 1.25, 1.6, 2.0, 2.5, 3.2, 4.0, 5.0, 6.3, 8.0};

  /**
   * Upper bound (inclusive, in nanoseconds) of each finite bucket, ascending: 10 µs … 100 s. One
   * more bucket, the overflow, takes everything above the last bound.
   */
  static final long[] BOUNDS_NANOS = bounds();

  /** Finite buckets plus the overflow bucket. */
  static final int BUCKETS = BOUNDS_NANOS.length + 1;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
  private final AtomicLong sumNanos = new AtomicLong();
  private final AtomicLong maxNanos = new AtomicLong();

  private static long[] bounds() {
    long[] out = new long[7 * R10.length + 1];
    int n = 0;
    long decade = 10_000; // 10 µs in nanoseconds
    for (int d = 0; d < 7; d++) {
      for (double m : R10) {
        out[n++] = Math.round(m * decade);
      }
      decade *= 10;
    }
    out[n] = decade; // 100 s
    return out;
  }

  /** Records one duration in nanoseconds; negative values count as zero. Any thread. */
  public void recordNanos(long nanos) {
    long v = Math.max(0, nanos);
    counts.incrementAndGet(bucketOf(v));
    sumNanos.addAndGet(v);
    long max = maxNanos.get();
    while (v > max && !maxNanos.compareAndSet(max, v)) {
      max = maxNanos.get();
    }
  }

  /** Records {@code nowNanos - startNanos} (both from the same {@code System.nanoTime} clock). */
  public void recordSince(long startNanos, long nowNanos) {
    recordNanos(nowNanos - startNanos);
  }

  /** Index of the bucket holding {@code nanos}: the first whose bound is {@code >= nanos}. */
  static int bucketOf(long nanos) {
    int lo = 0;
    int hi = BOUNDS_NANOS.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (BOUNDS_NANOS[mid] < nanos) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * An immutable copy of the counts. Taken while others record, it may miss a concurrent record
   * in part (its bucket but not yet its sum); its {@code count} is always the sum of its buckets.
   */
  public HistogramSnapshot snapshot() {
    long[] copy = new long[BUCKETS];
    for (int i = 0; i < BUCKETS; i++) {
      copy[i] = counts.get(i);
    }
    return new HistogramSnapshot(copy, sumNanos.get(), maxNanos.get());
  }
}
