package io.graft.bench;

/** Nearest-rank percentiles of latency samples, shared by every benchmark's report. */
public final class Percentiles {

  private Percentiles() {
  }

  /**
   * The nearest-rank {@code q}-quantile of {@code sorted} (ascending nanoseconds), in
   * milliseconds; NaN when there are no samples.
   */
  public static double millis(long[] sorted, double q) {
    return sorted.length == 0 ? Double.NaN : nanos(sorted, q) / 1e6;
  }

  /** As {@link #millis}, in nanoseconds; {@code sorted} must not be empty. */
  public static long nanos(long[] sorted, double q) {
    int i = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
    return sorted[Math.max(0, i)];
  }
}
