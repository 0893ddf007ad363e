package io.graft.raft.message;

import java.util.Arrays;
import java.util.Objects;

/**
 * One Raft log entry. The payload array is never mutated after construction (callers must not
 * either); equality is by value.
 */
public record LogEntry(long term, long index, EntryType type, byte[] payload) {
  private static final byte[] EMPTY = new byte[0];

  public LogEntry {
    Objects.requireNonNull(type, "type");
    if (term < 1 || index < 1) {
      throw new IllegalArgumentException("term and index start at 1: term=" + term + " index=" + index);
    }
    payload = payload == null ? EMPTY : payload;
  }

  /** Bytes this entry counts for in batching and back-pressure limits. */
  public int sizeBytes() {
    return payload.length + 24;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LogEntry e
        && e.term == term
        && e.index == index
        && e.type == type
        && Arrays.equals(e.payload, payload);
  }

  @Override
  public int hashCode() {
    return Objects.hash(term, index, type, Arrays.hashCode(payload));
  }

  @Override
  public String toString() {
    return "LogEntry{t" + term + " i" + index + " " + type + " " + payload.length + "B}";
  }
}
