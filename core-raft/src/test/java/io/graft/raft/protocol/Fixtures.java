package io.graft.raft.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.api.Role;
import io.graft.raft.message.AppendEntries;
import io.graft.raft.message.AppendEntriesResponse;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.Envelope;
import io.graft.raft.message.Heartbeat;
import io.graft.raft.message.LogEntry;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.message.RequestVote;
import io.graft.raft.message.RequestVoteResponse;
import io.graft.raft.storage.memory.InMemoryLogStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/** Message builders, ids and configurations shared by the Tier 1 protocol tests. */
final class Fixtures {
  static final MemberId N1 = MemberId.of("n1");
  static final MemberId N2 = MemberId.of("n2");
  static final MemberId N3 = MemberId.of("n3");
  static final MemberId N4 = MemberId.of("n4");
  static final MemberId N5 = MemberId.of("n5");

  static final int ELECTION = 10;

  private Fixtures() {}

  static MemberId id(int i) {
    return MemberId.of("n" + i);
  }

  static Set<MemberId> ids(int count) {
    Set<MemberId> out = new LinkedHashSet<>();
    for (int i = 1; i <= count; i++) {
      out.add(id(i));
    }
    return out;
  }

  /** Plain Raft of the paper: no PreVote, no CheckQuorum. */
  static RaftConfig plain() {
    return new RaftConfig(ELECTION, 1, 64, 1L << 20, 8, 1L << 20, false, false, 0);
  }

  static RaftConfig withPreVoteAndCheckQuorum() {
    return new RaftConfig(ELECTION, 1, 64, 1L << 20, 8, 1L << 20, true, true, 0);
  }

  static LogEntry entry(long term, long index) {
    return new LogEntry(term, index, EntryType.APPLICATION, new byte[] {(byte) index});
  }

  /** A store holding one entry per given term, at indexes 1..n. */
  static InMemoryLogStore store(long... terms) {
    InMemoryLogStore store = new InMemoryLogStore();
    List<LogEntry> entries = new ArrayList<>();
    for (int i = 0; i < terms.length; i++) {
      entries.add(entry(terms[i], i + 1));
    }
    if (!entries.isEmpty()) {
      store.append(entries);
    }
    return store;
  }

  static long[] termsOf(InMemoryLogStore store) {
    long[] terms = new long[(int) store.lastIndex()];
    for (int i = 1; i <= store.lastIndex(); i++) {
      terms[i - 1] = store.term(i);
    }
    return terms;
  }

  static RaftMachine machine(
      RaftConfig config,
      MemberId self,
      Set<MemberId> voters,
      InMemoryLogStore log,
      HardState hard) {
    RaftMachine m =
        new RaftMachine(config, self, voters, log, hard, new SplittableRandom(self.hashCode()),
            RaftLogging.slf4j());
    STORES.put(m, log);
    return m;
  }

  private static final java.util.Map<RaftMachine, InMemoryLogStore> STORES =
      new java.util.WeakHashMap<>();

  /**
   * Carries out one Ready of a machine built by {@link #machine}: persists its entries into the
   * machine's store (truncating a conflicting suffix first), then advances.
   */
  static Ready drain(RaftMachine m) {
    Ready rd = m.ready();
    persistOnly(m, rd);
    m.advance(rd);
    return rd;
  }

  /**
   * Carries out Readies (as {@link #drain}) until there is none, returning the entries they
   * handed out to apply: entries become applicable only once their own Ready was advanced.
   */
  static List<LogEntry> drainApplied(RaftMachine m) {
    List<LogEntry> applied = new java.util.ArrayList<>();
    while (m.hasReady()) {
      applied.addAll(drain(m).entriesToApply());
    }
    return applied;
  }

  /**
   * Ticks a single voter until it leads, carrying out its Readies as a runtime does: its vote for
   * itself counts once the Ready that saves it was persisted. Its NOOP is left in the next Ready.
   */
  static void electAlone(RaftMachine m) {
    for (int i = 0; i < 4 * ELECTION && m.role() != Role.LEADER; i++) {
      m.tick();
      if (m.role() == Role.CANDIDATE && m.hasReady()) {
        drain(m);
      }
    }
    assertThat(m.role()).isEqualTo(Role.LEADER);
  }

  /** The persist step of a Ready, without advance (to test what happens before advance). */
  static void persistOnly(RaftMachine m, Ready rd) {
    persistOnlyTo(STORES.get(m), rd);
  }

  static void persistOnlyTo(InMemoryLogStore store, Ready rd) {
    List<LogEntry> entries = rd.entriesToPersist();
    if (!entries.isEmpty()) {
      if (entries.get(0).index() <= store.lastIndex()) {
        store.truncateSuffix(entries.get(0).index());
      }
      store.append(entries);
    }
  }

  /** Drives the RaftLog directly, as a buggy caller would: used to prove the assertion fires. */
  static void truncateAt(RaftMachine m, LogEntry entry) {
    m.log.truncateAndAppend(List.of(entry));
  }

  static AppendEntries append(
      MemberId from, long term, long prevIndex, long prevTerm, long commit, LogEntry... entries) {
    return new AppendEntries(from, term, prevIndex, prevTerm, Arrays.asList(entries), commit);
  }

  static AppendEntriesResponse ack(MemberId from, long term, long matchIndex) {
    return new AppendEntriesResponse(from, term, true, matchIndex, 0, 0, matchIndex);
  }

  static Heartbeat heartbeat(MemberId from, long term, long commit) {
    return new Heartbeat(from, term, commit, 0);
  }

  static RequestVote vote(MemberId from, long term, long lastIndex, long lastTerm) {
    return new RequestVote(from, term, lastIndex, lastTerm, false, false);
  }

  static RequestVote preVote(MemberId from, long term, long lastIndex, long lastTerm) {
    return new RequestVote(from, term, lastIndex, lastTerm, true, false);
  }

  static RequestVoteResponse granted(MemberId from, long term) {
    return new RequestVoteResponse(from, term, true, false);
  }

  static RequestVoteResponse rejected(MemberId from, long term) {
    return new RequestVoteResponse(from, term, false, false);
  }

  /** Messages of one type, in order. */
  static <T extends RaftMessage> List<T> ofType(List<Envelope> envelopes, Class<T> type) {
    List<T> out = new ArrayList<>();
    for (Envelope e : envelopes) {
      if (type.isInstance(e.message())) {
        out.add(type.cast(e.message()));
      }
    }
    return out;
  }

  /** A leader of term 2 in a cluster of {@code size} whose NOOP (index lastIndex) is durable. */
  static RaftMachine leader(int size, InMemoryLogStore log, long term) {
    RaftMachine m = machine(plain(), N1, ids(size), log, new HardState(term - 1, null, 0));
    while (m.role() != io.graft.raft.api.Role.CANDIDATE) {
      m.tick();
    }
    drain(m);
    for (int i = 2; i <= size / 2 + 1; i++) {
      m.step(granted(id(i), term));
    }
    Invariants.check(m.role() == io.graft.raft.api.Role.LEADER, "%s did not become leader", m);
    drain(m);
    return m;
  }

  static List<byte[]> payloads(String... values) {
    return Arrays.stream(values).map(String::getBytes).toList();
  }
}
