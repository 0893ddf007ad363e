package io.graft.raft.runtime;

import io.graft.raft.protocol.membership.Configuration;
import io.graft.raft.protocol.membership.ConfigurationCodec;
import io.graft.raft.runtime.snapshot.SnapshotStore;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The term and configuration at each point the apply thread reached (the end of every applied run
 * and every internal entry), kept since the last snapshot: a snapshot written on its own thread
 * ({@code SnapshotSupport.writesWhileApplying}) reports the index it covers afterwards, and its
 * manifest needs that index's term and configuration. Written by the apply thread, read by the
 * snapshot thread.
 *
 * <p>Only the points where the term or the configuration changed are stored (a handful per
 * snapshot interval, not one per applied run: the apply thread records after every run, and a
 * map insert per run was 6 % of a busy leader's apply thread); the answer for an index is the
 * latest stored point at or before it, which holds the same term and configuration.
 */
final class AppliedHistory {
  private final NavigableMap<Long, Point> points = new TreeMap<>();
  private long recordedUpTo = -1;

  /** Term and configuration (null while unknown) as of an applied index. */
  private record Point(long term, Configuration configuration) {}

  /** The apply thread reached {@code index} (its entry's term; the configuration as of it). */
  synchronized void applied(long index, long term, Configuration configuration) {
    Map.Entry<Long, Point> last = points.lastEntry();
    if (last == null || last.getKey() > index || last.getValue().term() != term
        || !Objects.equals(last.getValue().configuration(), configuration)) {
      points.put(index, new Point(term, configuration));
    }
    recordedUpTo = Math.max(recordedUpTo, index);
    notifyAll();
  }

  /** A snapshot install moved the applied index: nothing before it matters any more. */
  synchronized void reset(long index, long term, Configuration configuration) {
    points.clear();
    recordedUpTo = -1;
    applied(index, term, configuration);
  }

  /**
   * Keeps what {@code index} and what follows need (a snapshot at {@code index} was published):
   * the point that holds {@code index}'s term and configuration, and every later one.
   */
  synchronized void forgetBefore(long index) {
    Long holder = points.floorKey(index);
    if (holder != null) {
      points.headMap(holder, false).clear();
    }
  }

  /** Points stored (for tests: they grow with term and configuration changes, not applies). */
  synchronized int size() {
    return points.size();
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
