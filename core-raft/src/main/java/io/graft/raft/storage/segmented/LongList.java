package io.graft.raft.storage.segmented;

import java.util.Arrays;

/** A growable array of primitive longs (no boxing on the append path). Not thread-safe. */
final class LongList {
  private long[] values = new long[1024];
  private int size;

  int size() {
    return size;
  }

  long get(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("position " + i + " outside [0, " + size + ")");
    }
    return values[i];
  }

  void add(long value) {
    if (size == values.length) {
      values = Arrays.copyOf(values, values.length * 2);
    }
    values[size++] = value;
  }

  /** Keeps only the first {@code newSize} values. */
  void truncate(int newSize) {
    if (newSize < 0 || newSize > size) {
      throw new IllegalArgumentException("truncate to " + newSize + " of " + size);
    }
    size = newSize;
  }

  /** Drops the first {@code count} values, shifting the rest down (rare: compaction only). */
  void removeFirst(int count) {
    if (count < 0 || count > size) {
      throw new IllegalArgumentException("remove " + count + " of " + size);
    }
    System.arraycopy(values, count, values, 0, size - count);
    size -= count;
  }

  void clear() {
    size = 0;
  }
}
