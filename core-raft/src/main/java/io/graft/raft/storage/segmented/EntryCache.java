package io.graft.raft.storage.segmented;

import io.graft.raft.message.LogEntry;

/**
 * The most recently appended entries, contiguous by index, bounded by count and bytes. The leader
 * re-reads its newest entries for every follower's AppendEntries, so these reads must not touch the
 * file. Entries are immutable records, so holding references is safe. The byte bound yields to
 * the newest entry alone (see {@link #add}), so a huge entry is cached until the next append but
 * several are never pinned. Not thread-safe.
 */
final class EntryCache {
  private final LogEntry[] slots;
  private final int mask;
  private final long bytesMax;
  private long first = 1;
  private int count;
  private long bytes;

  /** @param entriesMax rounded up to a power of two */
  EntryCache(int entriesMax, long bytesMax) {
    int capacity = Integer.highestOneBit(Math.max(1, entriesMax - 1)) << 1;
    this.slots = new LogEntry[capacity];
    this.mask = capacity - 1;
    this.bytesMax = bytesMax;
  }

  LogEntry get(long index) {
    if (count == 0 || index < first || index >= first + count) {
      return null;
    }
    return slots[(int) (index & mask)];
  }

  void add(LogEntry entry) {
    if (count > 0 && entry.index() != first + count) {
      clear();
    }
    if (count == 0) {
      first = entry.index();
    }
    if (count == slots.length) {
      evictFirst();
    }
    slots[(int) (entry.index() & mask)] = entry;
    count++;
    bytes += entry.sizeBytes();
    // The newest entry stays even when it alone exceeds bytesMax: the leader is about to read it
    // for every follower, and the proposal already holds it in memory, so caching it costs no
    // extra copy while a miss would read and decode it once per follower. Only one such entry is
    // ever pinned: the next append evicts it.
    while (bytes > bytesMax && count > 1) {
      evictFirst();
    }
  }

  /** Forgets entries with index {@code >= fromIndex}. */
  void truncateFrom(long fromIndex) {
    while (count > 0 && first + count - 1 >= fromIndex) {
      int slot = (int) ((first + count - 1) & mask);
      bytes -= slots[slot].sizeBytes();
      slots[slot] = null;
      count--;
    }
  }

  /** Forgets entries with index {@code < index}. */
  void dropBefore(long index) {
    while (count > 0 && first < index) {
      evictFirst();
    }
  }

  void clear() {
    while (count > 0) {
      evictFirst();
    }
  }

  private void evictFirst() {
    int slot = (int) (first & mask);
    bytes -= slots[slot].sizeBytes();
    slots[slot] = null;
    first++;
    count--;
  }
}
