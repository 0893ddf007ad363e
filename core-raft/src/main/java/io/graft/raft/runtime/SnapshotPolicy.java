package io.graft.raft.runtime;

/**
 * When a member snapshots its state machine and how much log it keeps behind the snapshot (thesis
 * §5.1): a snapshot every {@code snapshotEveryEntries} applied entries or {@code
 * snapshotEveryBytes} applied payload bytes, whichever comes first (a few large entries grow the
 * log as much as many small ones), then the log prefix up to {@code snapshotIndex -
 * retainEntries} is pruned (never beyond the commit index, nor beyond what the state machine
 * holds durably), so followers a little behind still catch up from the log; one further behind
 * gets the snapshot. Snapshots travel in chunks of {@code chunkBytes}; an unanswered chunk is
 * sent again after {@code resendMillis}.
 *
 * <p>{@code logToSnapshotRatio} (thesis §5.1.3, LogCabin's snapshot ratio): a snapshot whose size
 * grows with the state (a store copy) is also held back until the payload applied since the last
 * one is at least this many times that snapshot's size, so writing snapshots costs at most
 * {@code 1 / ratio} bytes per byte of log however large the state grows (the log then holds up to
 * {@code ratio} times the state). 0: the entry and byte intervals alone decide.
 */
public record SnapshotPolicy(long snapshotEveryEntries, long retainEntries, int chunkBytes,
    long resendMillis, long snapshotEveryBytes, double logToSnapshotRatio) {

  /** Default of {@link #snapshotEveryBytes}: 1 GiB of applied payload. */
  public static final long DEFAULT_EVERY_BYTES = 1L << 30;

  /**
   * Every 8192 entries or 1 GiB, retain 1024 (hashicorp/raft: SnapshotThreshold 8192), 1 MiB
   * chunks.
   */
  public static SnapshotPolicy defaults() {
    return new SnapshotPolicy(8192, 1024, 1 << 20, 1000, DEFAULT_EVERY_BYTES);
  }

  /** Without a log-to-snapshot ratio. */
  public SnapshotPolicy(long snapshotEveryEntries, long retainEntries, int chunkBytes,
      long resendMillis, long snapshotEveryBytes) {
    this(snapshotEveryEntries, retainEntries, chunkBytes, resendMillis, snapshotEveryBytes, 0);
  }

  /** By entry count only (no bytes trigger). */
  public SnapshotPolicy(long snapshotEveryEntries, long retainEntries, int chunkBytes,
      long resendMillis) {
    this(snapshotEveryEntries, retainEntries, chunkBytes, resendMillis, Long.MAX_VALUE);
  }

  public SnapshotPolicy {
    if (snapshotEveryEntries < 1) {
      throw new IllegalArgumentException("snapshotEveryEntries must be >= 1: "
          + snapshotEveryEntries);
    }
    if (retainEntries < 0) {
      throw new IllegalArgumentException("retainEntries must be >= 0: " + retainEntries);
    }
    if (chunkBytes < 1024 || chunkBytes > 8 << 20) {
      throw new IllegalArgumentException("chunkBytes must be in [1 KiB, 8 MiB]: " + chunkBytes);
    }
    if (snapshotEveryBytes < 1) {
      throw new IllegalArgumentException("snapshotEveryBytes must be >= 1: " + snapshotEveryBytes);
    }
    if (resendMillis < 1) {
      throw new IllegalArgumentException("resendMillis must be >= 1: " + resendMillis);
    }
    if (!(logToSnapshotRatio >= 0) || Double.isInfinite(logToSnapshotRatio)) {
      throw new IllegalArgumentException("logToSnapshotRatio must be a number >= 0: "
          + logToSnapshotRatio);
    }
  }

  /**
   * Whether a snapshot is due after {@code entriesSince} applied entries and {@code
   * payloadBytesSince} applied payload bytes since the last one, whose files held {@code
   * lastSnapshotBytes} (0 when there is none).
   */
  public boolean due(long entriesSince, long payloadBytesSince, long lastSnapshotBytes) {
    boolean interval = entriesSince >= snapshotEveryEntries
        || payloadBytesSince >= snapshotEveryBytes;
    return interval && payloadBytesSince >= logToSnapshotRatio * lastSnapshotBytes;
  }
}
