package io.graft.raft.runtime;

import io.graft.raft.protocol.membership.Configuration;
import io.graft.raft.protocol.membership.ConfigurationCodec;
import io.graft.raft.runtime.snapshot.SnapshotStore;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The term and configuration at each point the apply thread reached (the end of every applied run
 * and every internal entry), kept since the last snapshot: a snapshot written on its own thread
 * ({@code SnapshotSupport.writesWhileApplying}) reports the index it covers afterwards, and its
 * manifest needs that index's term and configuration. Written by the apply thread, read by the
 * snapshot thread.
 */
final class AppliedHistory {
  private final NavigableMap<Long, Point> points = new TreeMap<>();
  private long recordedUpTo = -1;

  /** Term and configuration (null while unknown) as of an applied index. */
  private record Point(long term, Configuration configuration) {}

  /** The apply thread reached {@code index} (its entry's term; the configuration as of it). */
  synchronized void applied(long index, long term, Configuration configuration) {
    points.put(index, new Point(term, configuration));
    recordedUpTo = Math.max(recordedUpTo, index);
    notifyAll();
  }

  /** A snapshot install moved the applied index: nothing before it matters any more. */
  synchronized void reset(long index, long term, Configuration configuration) {
    points.clear();
    recordedUpTo = -1;
    applied(index, term, configuration);
  }

  /** Keeps {@code index} and what follows (a snapshot at {@code index} was published). */
  synchronized void forgetBefore(long index) {
    points.headMap(index, false).clear();
  }

  /**
   * The term and encoded configuration at {@code index}, once the apply thread has recorded it
   * (it records right after the run that reached it returned); fails if it does not within
   * {@code timeoutMillis}, or if the configuration there is unknown.
   */
  synchronized SnapshotStore.Meta meta(long index, long timeoutMillis) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (recordedUpTo < index) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new IllegalStateException("the apply thread did not reach index " + index
            + " within " + timeoutMillis + " ms (at " + recordedUpTo + ")");
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    Map.Entry<Long, Point> at = points.floorEntry(index);
    if (at == null || at.getValue().configuration() == null) {
      throw new IllegalStateException("no term and configuration known at index " + index);
    }
    return new SnapshotStore.Meta(at.getValue().term(),
        ConfigurationCodec.encode(at.getValue().configuration()));
  }
}
