package io.graft.raft.storage.segmented;

import java.util.List;

/**
 * Cuts a segmented log at either end: the suffix from an index on (a follower's conflicting
 * entries, Raft §5.3) and the prefix up to a snapshot (compaction, thesis §5.1). It deletes and
 * cuts segment files and forces the directory at once, in an order that leaves, after a crash at
 * any point, a log {@link SegmentRecovery} accepts; and it keeps the index, the entry cache and
 * the write buffer in step with the disk. {@link SegmentedLogStore} validates the request and
 * owns the snapshot bounds; this class only does the cut.
 */
final class SegmentTrimmer {
  private final SegmentIndex index;
  private final EntryCache cache;
  private final SegmentWriteBuffer writes;
  private final SegmentDisk disk;

  SegmentTrimmer(SegmentIndex index, EntryCache cache, SegmentWriteBuffer writes,
      SegmentDisk disk) {
    this.index = index;
    this.cache = cache;
    this.writes = writes;
    this.disk = disk;
  }

  /** Removes every entry from {@code fromIndex} on; it is a present index of the log. */
  void cutSuffix(long fromIndex) {
    writes.flush(index.active());
    cache.truncateFrom(fromIndex);
    List<Segment> segments = index.segments;
    int k = index.positionFor(fromIndex);
    boolean deleted = false;
    while (segments.size() > k + 1) {
      disk.delete(segments.remove(segments.size() - 1));
      deleted = true;
    }
    Segment segment = segments.get(k);
    if (fromIndex == segment.firstIndex) {
      disk.delete(segments.remove(k));
      deleted = true;
    } else {
      if (deleted) {
        // The later segments' deletions must be durable before the cut: a crash could otherwise
        // keep the cut (forced) but not the deletions, leaving a gap recovery refuses to start on.
        disk.forceDirectory();
        deleted = false;
      }
      long cut = index.offset(fromIndex);
      segment.cut(cut);
      // Forced now: a lingering old record after a cut could otherwise pass recovery's checks
      // behind new records written at the same offsets.
      disk.force(segment);
    }
    if (deleted) {
      disk.forceDirectory();
    }
    index.truncate(fromIndex);
    Segment active = index.active();
    writes.reset(active == null ? 0 : active.endOffset);
  }

  /**
   * Makes the log start after {@code upToIndex} (term {@code upToTerm}): records the new start in
   * the log's meta file, then deletes every segment wholly covered by it, or all of them when
   * {@code wholeLog} (the snapshot reaches the last index or beyond).
   */
  void dropPrefix(long upToIndex, long upToTerm, boolean wholeLog) {
    // Durable before any segment is deleted, so the log never loses the description of its start.
    LogMetaFile.write(disk.directory(), new LogMetaFile.Snapshot(upToIndex, upToTerm));
    disk.countFsyncs(2); // the temp file and the directory
    List<Segment> segments = index.segments;
    boolean deleted = false;
    if (wholeLog) {
      writes.reset(0);
      while (!segments.isEmpty()) {
        disk.delete(segments.remove(segments.size() - 1));
        deleted = true;
      }
      index.clear(upToIndex + 1);
      cache.clear();
    } else {
      while (segments.size() > 1 && segments.get(1).firstIndex - 1 <= upToIndex) {
        Segment first = segments.remove(0);
        index.dropBefore(segments.get(0).firstIndex);
        disk.delete(first);
        deleted = true;
      }
      cache.dropBefore(upToIndex + 1);
    }
    if (deleted) {
      disk.forceDirectory();
    }
  }
}
