package io.graft.raft.protocol;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.message.Envelope;
import io.graft.raft.message.LogEntry;
import io.graft.raft.storage.memory.InMemoryLogStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * One member for the tests: a machine, its in-memory durable log and hard state, and what it
 * applied. {@link #processReady()} carries out Ready values exactly in the documented order.
 */
final class Node {
  final MemberId id;
  final InMemoryLogStore store;
  final RaftConfig config;
  final Set<MemberId> voters;
  final long seed;
  HardState hardState;
  RaftMachine machine;
  final List<LogEntry> applied = new ArrayList<>();

  Node(
      MemberId id,
      RaftConfig config,
      Set<MemberId> voters,
      InMemoryLogStore store,
      HardState hard,
      long seed) {
    this.id = id;
    this.config = config;
    this.voters = voters;
    this.store = store;
    this.hardState = hard;
    this.seed = seed;
    this.machine = new RaftMachine(config, id, voters, store, hard, new SplittableRandom(seed),
        RaftLogging.slf4j());
  }

  /** Crash and restart from durable state (the log store and the last persisted hard state). */
  void restart() {
    machine = new RaftMachine(config, id, voters, store, hardState,
        new SplittableRandom(seed + 1), RaftLogging.slf4j());
    applied.clear();
  }

  /** Handles every pending Ready (send now, persist, send after persist, apply, advance). */
  List<Envelope> processReady() {
    List<Envelope> out = new ArrayList<>();
    while (machine.hasReady()) {
      Ready rd = machine.ready();
      out.addAll(rd.messagesNow());
      persist(rd);
      out.addAll(rd.messagesAfterPersist());
      applied.addAll(rd.entriesToApply());
      machine.advance(rd);
    }
    return out;
  }

  /**
   * Crashes while carrying out a Ready: its messagesNow are already sent (returned), then
   * {@code mode} 0 persists nothing, 1 only the entries, 2 only the hard state; messagesAfterPersist
   * and entriesToApply are lost; the member restarts from what is durable.
   */
  List<Envelope> crashDuringReady(int mode) {
    if (!machine.hasReady()) {
      restart();
      return List.of();
    }
    Ready rd = machine.ready();
    if (mode == 1) {
      persistEntries(rd);
    } else if (mode == 2 && rd.hardState() != null) {
      hardState = rd.hardState();
    }
    restart();
    return rd.messagesNow();
  }

  /** Carries out exactly one Ready (which must exist) and returns it. */
  Ready drainOne() {
    Ready rd = machine.ready();
    persist(rd);
    applied.addAll(rd.entriesToApply());
    machine.advance(rd);
    return rd;
  }

  private void persist(Ready rd) {
    persistEntries(rd);
    if (rd.hardState() != null) {
      hardState = rd.hardState();
    }
    if (rd.mustSync()) {
      store.sync();
    }
  }

  private void persistEntries(Ready rd) {
    List<LogEntry> entries = rd.entriesToPersist();
    if (!entries.isEmpty()) {
      if (entries.get(0).index() <= store.lastIndex()) {
        store.truncateSuffix(entries.get(0).index());
      }
      store.append(entries);
    }
  }
}
