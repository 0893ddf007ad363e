package io.graft.raft.protocol.membership;

import io.graft.raft.api.MemberId;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.LogEntry;
import io.graft.raft.protocol.Invariants;
import io.graft.raft.protocol.log.LogReader;
import java.util.ArrayList;
import java.util.List;

/**
 * The configurations carried by the log (thesis §4.1): a member uses the latest CONFIGURATION
 * entry in its log whether or not it is committed, and falls back to the previous one when that
 * entry is truncated by a new leader. Keeps the latest configuration at or below the commit index
 * (which can never be truncated) plus every configuration entry above it, in index order.
 */
public final class ConfigurationLog {
  /** A configuration and the index of the entry that carries it (0: the initial one). */
  public record Indexed(long index, Configuration configuration) {}

  /** Ascending by index; the first one is at or below the commit index (never truncated). */
  private final List<Indexed> entries = new ArrayList<>();

  public ConfigurationLog(Configuration initial, long index) {
    entries.add(new Indexed(index, initial));
  }

  public Configuration latest() {
    return entries.get(entries.size() - 1).configuration();
  }

  public long latestIndex() {
    return entries.get(entries.size() - 1).index();
  }

  /**
   * True if {@code id} is a voter of the latest configuration or of the one before it while the
   * latest is not committed: a voter being removed by an uncommitted entry may still have to be
   * elected, because it may hold the only up-to-date log (§4.2.2; see RaftMachine#promotable).
   */
  public boolean isVoterOrBeingRemoved(MemberId id, long commitIndex) {
    int last = entries.size() - 1;
    if (entries.get(last).configuration().isVoter(id)) {
      return true;
    }
    return last > 0
        && entries.get(last).index() > commitIndex
        && entries.get(last - 1).configuration().isVoter(id);
  }

  /**
   * Entries were written at their indexes, replacing any log suffix from the first of them (a
   * follower's §5.3 truncation). Drops configurations of truncated entries, adds the new ones, and
   * forgets configurations superseded by one at or below {@code commitIndex}. Returns true if the
   * latest configuration changed.
   */
  public boolean onAppend(List<LogEntry> appended, long commitIndex) {
    if (appended.isEmpty()) {
      return false;
    }
    Indexed before = entries.get(entries.size() - 1);
    long first = appended.get(0).index();
    while (entries.size() > 1 && entries.get(entries.size() - 1).index() >= first) {
      entries.remove(entries.size() - 1);
    }
    if (entries.get(0).index() >= first && entries.get(0).index() > 0) {
      throw new IllegalStateException(
          "configuration at " + entries.get(0).index() + " truncated by append at " + first);
    }
    for (LogEntry e : appended) {
      if (e.type() == EntryType.CONFIGURATION) {
        Configuration next = ConfigurationCodec.decode(e.payload());
        checkSingleServerChange(entries.get(entries.size() - 1), e.index(), next);
        entries.add(new Indexed(e.index(), next));
      }
    }
    compact(commitIndex);
    return !entries.get(entries.size() - 1).equals(before);
  }

  /**
   * §4.1: consecutive configurations in a log differ by at most one voter, so that their
   * majorities overlap. (The very first entry after the initial configuration is exempt when the
   * initial one is empty: a joining member has not seen the founders' configuration; so is a
   * forced re-formation, which starts a new epoch: its majority deliberately does not overlap the
   * lost one, and the transport keeps the two epochs apart.)
   */
  private static void checkSingleServerChange(Indexed previous, long index, Configuration next) {
    Configuration prev = previous.configuration();
    if (prev.isEmpty() || prev.epoch() != next.epoch()) {
      return;
    }
    int changed = 0;
    for (MemberId v : next.voters()) {
      changed += prev.isVoter(v) ? 0 : 1;
    }
    for (MemberId v : prev.voters()) {
      changed += next.isVoter(v) ? 0 : 1;
    }
    Invariants.check(
        changed <= 1,
        "configuration at %s changes %s voters: %s -> %s (single-server changes only, §4.1)",
        index,
        changed,
        prev,
        next);
  }

  /** Replaces everything, e.g. after installing a snapshot that carries its configuration. */
  public void reset(Configuration configuration, long index) {
    entries.clear();
    entries.add(new Indexed(index, configuration));
  }

  private void compact(long commitIndex) {
    while (entries.size() > 1 && entries.get(1).index() <= commitIndex) {
      entries.remove(0);
    }
  }

  /**
   * Rebuilds the configurations of a log at start: scans backwards from the last entry to the
   * latest configuration entry at or below {@code commitIndex}, collecting the uncommitted ones on
   * the way; {@code initial} (at {@code initialIndex}) when the log holds none.
   */
  public static ConfigurationLog recover(
      LogReader log, long commitIndex, Configuration initial, long initialIndex) {
    List<Indexed> found = new ArrayList<>();
    long hi = log.lastIndex();
    final int chunk = 256;
    boolean baseFound = false;
    while (hi >= log.firstIndex() && hi > initialIndex && !baseFound) {
      long lo = Math.max(Math.max(log.firstIndex(), initialIndex + 1), hi - chunk + 1);
      List<LogEntry> range = readAll(log, lo, hi + 1);
      for (int i = range.size() - 1; i >= 0 && !baseFound; i--) {
        LogEntry e = range.get(i);
        if (e.type() == EntryType.CONFIGURATION) {
          found.add(new Indexed(e.index(), ConfigurationCodec.decode(e.payload())));
          baseFound = e.index() <= commitIndex;
        }
      }
      hi = lo - 1;
    }
    ConfigurationLog out;
    int from = found.size() - 1;
    if (baseFound) {
      out = new ConfigurationLog(found.get(from).configuration(), found.get(from).index());
      from--;
    } else {
      out = new ConfigurationLog(initial, initialIndex);
    }
    for (int i = from; i >= 0; i--) {
      out.entries.add(found.get(i));
    }
    return out;
  }

  private static List<LogEntry> readAll(LogReader log, long from, long toExclusive) {
    List<LogEntry> out = new ArrayList<>();
    long next = from;
    while (next < toExclusive) {
      List<LogEntry> part = log.entries(next, toExclusive, 4L << 20);
      out.addAll(part);
      next += part.size();
    }
    return out;
  }

  @Override
  public String toString() {
    return entries.toString();
  }
}
