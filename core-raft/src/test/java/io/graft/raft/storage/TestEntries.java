package io.graft.raft.storage;

import io.graft.raft.message.EntryType;
import io.graft.raft.message.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Builders for log entries with deterministic, index-derived payloads. */
public final class TestEntries {
  private TestEntries() {}

  public static LogEntry entry(long term, long index, int payloadBytes) {
    byte[] payload = new byte[payloadBytes];
    new Random(index * 31 + term).nextBytes(payload);
    EntryType type = EntryType.values()[(int) (index % EntryType.values().length)];
    return new LogEntry(term, index, type, payload);
  }

  public static LogEntry entry(long term, long index) {
    return entry(term, index, 16);
  }

  /** Entries {@code [from, toInclusive]} all in {@code term}. */
  public static List<LogEntry> range(long term, long from, long toInclusive, int payloadBytes) {
    List<LogEntry> out = new ArrayList<>();
    for (long i = from; i <= toInclusive; i++) {
      out.add(entry(term, i, payloadBytes));
    }
    return out;
  }
}
