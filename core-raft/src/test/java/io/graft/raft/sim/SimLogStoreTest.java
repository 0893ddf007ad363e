package io.graft.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.MemberId;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.LogEntry;
import io.graft.raft.protocol.HardState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The simulator's disk model must itself be right, or the simulation proves nothing: synced writes
 * survive a crash, un-synced ones may be lost (wholly, partly or torn) but never reordered, and
 * truncations that were never synced come undone, wholly or from their start (a crash inside one).
 */
class SimLogStoreTest {

  @Test
  void crashKeepsSyncedEntriesAndLosesUnsyncedOnes() {
    SimLogStore store = new SimLogStore();
    store.append(entries(1, 1, 3));
    store.sync();
    store.append(entries(4, 1, 2));
    assertThat(store.lastIndex()).isEqualTo(5);

    store.crashLosingAllUnsynced();

    assertThat(store.lastIndex()).isEqualTo(3);
    assertThat(store.entries(1, 4, Long.MAX_VALUE)).isEqualTo(entries(1, 1, 3));
  }

  @Test
  void unsyncedTruncationIsUndoneByACrash() {
    SimLogStore store = new SimLogStore();
    List<LogEntry> original = entries(1, 1, 5);
    store.append(original);
    store.sync();
    store.truncateSuffix(3);
    store.append(entries(3, 2, 1));

    store.crashLosingAllUnsynced();

    assertThat(store.entries(1, 6, Long.MAX_VALUE)).isEqualTo(original);
    assertThat(store.prefixHash(5)).isEqualTo(rebuilt(original).prefixHash(5));
  }

  /** Every crash outcome is a state reachable by a prefix of the writes, possibly torn. */
  @Test
  void randomCrashesOnlyProducePrefixConsistentStatesAndCoverEveryKind() {
    Set<List<LogEntry>> reachable = new HashSet<>();
    List<LogEntry> synced = entries(1, 1, 4);
    reachable.add(synced);
    List<LogEntry> afterTruncate = synced.subList(0, 2);
    reachable.add(afterTruncate);
    List<LogEntry> halfTruncated = synced.subList(0, 3); // crash inside the truncation
    reachable.add(halfTruncated);
    List<LogEntry> rewritten = new ArrayList<>(afterTruncate);
    for (LogEntry e : entries(3, 2, 3)) {
      rewritten.add(e);
      reachable.add(List.copyOf(rewritten));
    }
    Set<Integer> lengths = new HashSet<>();
    Set<List<LogEntry>> seen = new HashSet<>();
    for (long seed = 0; seed < 200; seed++) {
      SimLogStore store = new SimLogStore();
      store.append(synced);
      store.sync();
      store.truncateSuffix(3);
      store.append(entries(3, 2, 3));
      store.crash(new SplittableRandom(seed));
      List<LogEntry> after = store.entries(1, store.lastIndex() + 1, Long.MAX_VALUE);
      assertThat(reachable).as("seed %d", seed).contains(after);
      assertThat(store.hasUnsyncedWrites()).isFalse();
      lengths.add(after.size());
      seen.add(after);
    }
    // lost everything (4 = old tail restored), truncation only (2), torn (3, 4) and all kept (5)
    assertThat(lengths).contains(2, 3, 4, 5);
    assertThat(seen).as("a crash inside the truncation").contains(halfTruncated);
  }

  @Test
  void prefixHashesIdentifyWholePrefixes() {
    SimLogStore a = rebuilt(entries(1, 1, 4));
    SimLogStore b = rebuilt(entries(1, 1, 4));
    List<LogEntry> different = new ArrayList<>(entries(1, 1, 4));
    different.set(1, new LogEntry(1, 2, EntryType.APPLICATION, new byte[] {42}));
    SimLogStore c = rebuilt(different);

    assertThat(a.prefixHash(4)).isEqualTo(b.prefixHash(4));
    assertThat(c.prefixHash(1)).isEqualTo(a.prefixHash(1));
    assertThat(c.prefixHash(4)).isNotEqualTo(a.prefixHash(4));
  }

  @Test
  void rejectsGapsAndDecreasingTerms() {
    SimLogStore store = rebuilt(entries(1, 2, 2));
    assertThatThrownBy(() -> store.append(entries(4, 2, 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.append(entries(3, 1, 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void metaStoreRefusesAChangedVoteOrALowerTerm() {
    SimMetaStore meta = new SimMetaStore();
    meta.save(new HardState(3, MemberId.of("a"), 0));
    meta.save(new HardState(3, MemberId.of("a"), 2));
    assertThatThrownBy(() -> meta.save(new HardState(3, MemberId.of("b"), 2)))
        .isInstanceOf(SafetyViolation.class)
        .hasMessageContaining("vote changed");
    assertThatThrownBy(() -> meta.save(new HardState(2, null, 2)))
        .isInstanceOf(SafetyViolation.class)
        .hasMessageContaining("term decreased");
    assertThat(meta.load()).isEqualTo(new HardState(3, MemberId.of("a"), 2));
  }

  static List<LogEntry> entries(long firstIndex, long term, int count) {
    List<LogEntry> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long index = firstIndex + i;
      out.add(new LogEntry(term, index, EntryType.APPLICATION, new byte[] {(byte) index, 7}));
    }
    return out;
  }

  static SimLogStore rebuilt(List<LogEntry> entries) {
    SimLogStore store = new SimLogStore();
    store.append(entries);
    store.sync();
    return store;
  }
}
