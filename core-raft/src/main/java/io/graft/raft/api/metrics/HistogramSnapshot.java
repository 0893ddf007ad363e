package io.graft.raft.api.metrics;

import java.util.Arrays;

/**
 * An immutable copy of a {@link Histogram}: per-bucket counts over the shared log-scale bounds,
 * the sum and the maximum. Prometheus form: for {@code i} in {@code [0, bucketCount())}, {@code
 * le = upperBoundSeconds(i)} (the last is {@code +Inf}) with {@code cumulativeCount(i)}, plus
 * {@link #sumSeconds()} and {@link #count()}.
 */
public final class HistogramSnapshot {
  /** No observations. */
  public static final HistogramSnapshot EMPTY =
      new HistogramSnapshot(new long[Histogram.BUCKETS], 0, 0);

  private final long[] counts;
  private final long count;
  private final long sumNanos;
  private final long maxNanos;

  HistogramSnapshot(long[] counts, long sumNanos, long maxNanos) {
    this.counts = counts;
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    this.count = total;
    this.sumNanos = sumNanos;
    this.maxNanos = maxNanos;
  }

  /** Number of buckets, the overflow ({@code +Inf}) bucket included. */
  public static int bucketCount() {
    return Histogram.BUCKETS;
  }

  /** Upper bound of bucket {@code i} in seconds; {@code +Infinity} for the last one. */
  public static double upperBoundSeconds(int i) {
    return i < Histogram.BOUNDS_NANOS.length
        ? Histogram.BOUNDS_NANOS[i] / 1e9
        : Double.POSITIVE_INFINITY;
  }

  /** Observations in bucket {@code i} alone. */
  public long bucketCount(int i) {
    return counts[i];
  }

  /** Observations {@code <= upperBoundSeconds(i)} (Prometheus' cumulative bucket). */
  public long cumulativeCount(int i) {
    long c = 0;
    for (int k = 0; k <= i; k++) {
      c += counts[k];
    }
    return c;
  }

  public long count() {
    return count;
  }

  public double sumSeconds() {
    return sumNanos / 1e9;
  }

  /** Largest observation, exact (0 when empty). */
  public double maxSeconds() {
    return maxNanos / 1e9;
  }

  /** Mean in seconds, or 0 when empty. */
  public double meanSeconds() {
    return count == 0 ? 0 : sumSeconds() / count;
  }

  /**
   * Estimated {@code q}-quantile in seconds (0 when empty): the bucket holding the rank, then
   * log-linear interpolation inside it (linear in the first bucket); never above the maximum.
   */
  public double quantileSeconds(double q) {
    if (q < 0 || q > 1 || Double.isNaN(q)) {
      throw new IllegalArgumentException("quantile must be in [0, 1], got " + q);
    }
    if (count == 0) {
      return 0;
    }
    double rank = q * count;
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] == 0) {
        continue;
      }
      if (seen + counts[i] >= rank) {
        double max = maxSeconds();
        if (i == counts.length - 1) {
          return max;
        }
        double upper = upperBoundSeconds(i);
        double fraction = Math.max(0, Math.min(1, (rank - seen) / counts[i]));
        double estimate;
        if (i == 0) {
          estimate = upper * fraction;
        } else {
          double lower = upperBoundSeconds(i - 1);
          estimate = lower * Math.pow(upper / lower, fraction);
        }
        return Math.min(estimate, max);
      }
      seen += counts[i];
    }
    return maxSeconds();
  }

  public double p50Seconds() {
    return quantileSeconds(0.50);
  }

  public double p99Seconds() {
    return quantileSeconds(0.99);
  }

  public double p999Seconds() {
    return quantileSeconds(0.999);
  }

  /** This snapshot minus an earlier one of the same histogram: what was recorded in between. */
  public HistogramSnapshot minus(HistogramSnapshot earlier) {
    long[] diff = new long[counts.length];
    for (int i = 0; i < diff.length; i++) {
      diff[i] = Math.max(0, counts[i] - earlier.counts[i]);
    }
    // The maximum of the interval is unknown; the overall maximum bounds it.
    return new HistogramSnapshot(diff, Math.max(0, sumNanos - earlier.sumNanos), maxNanos);
  }

  /** A one-line summary for logs and benchmark printouts, in milliseconds. */
  @Override
  public String toString() {
    return String.format(
        "n=%d mean=%.3fms p50=%.3fms p99=%.3fms p999=%.3fms max=%.3fms",
        count,
        meanSeconds() * 1e3,
        p50Seconds() * 1e3,
        p99Seconds() * 1e3,
        p999Seconds() * 1e3,
        maxSeconds() * 1e3);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HistogramSnapshot h
        && Arrays.equals(counts, h.counts)
        && sumNanos == h.sumNanos
        && maxNanos == h.maxNanos;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(counts) * 31 + Long.hashCode(sumNanos);
  }
}
