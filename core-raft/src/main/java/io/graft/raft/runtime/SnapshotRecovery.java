package io.graft.raft.runtime;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.SnapshotSupport;
import io.graft.raft.api.StateMachine;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.LogEntry;
import io.graft.raft.protocol.HardState;
import io.graft.raft.protocol.membership.Configuration;
import io.graft.raft.protocol.membership.ConfigurationCodec;
import io.graft.raft.runtime.snapshot.LocalSnapshot;
import io.graft.raft.runtime.snapshot.SeedMarker;
import io.graft.raft.runtime.snapshot.SnapshotStore;
import io.graft.raft.storage.LogStore;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;

/**
 * A member's snapshots and log at start, before its threads run (thesis §5): founds a seeded
 * member's log on the state machine's state, finishes an install a crash interrupted, catches a
 * state machine that is behind the compacted log up, and works out the configuration as of the
 * applied index. Also the log reset an install ends with (§5.3 receiver rules 6-7).
 */
final class SnapshotRecovery {
  /**
   * What {@link #recover} found.
   *
   * @param newest the newest local snapshot, or null
   * @param pendingSeed the snapshot a seeded member still owes, or null
   * @param configAtApplied the configuration as of the applied index, or null if unknown
   */
  record Recovered(LocalSnapshot newest, SeedMarker.Pending pendingSeed,
      Configuration configAtApplied) {}

  private final Logger logger;
  private final MemberId self;
  private final StateMachine stateMachine;
  private final SnapshotSupport support;
  private final SnapshotStore store;
  private final LogStore log;
  /** Before a log reset: no log fsync runs, finished writes completed. */
  private final Runnable awaitWrites;

  SnapshotRecovery(Logger logger, MemberId self, StateMachine stateMachine, SnapshotStore store,
      LogStore log, Runnable awaitWrites) {
    this.logger = logger;
    this.self = self;
    this.stateMachine = stateMachine;
    this.support = stateMachine.snapshots();
    this.store = store;
    this.log = log;
    this.awaitWrites = awaitWrites;
  }

  /**
   * Founds the log of a brand-new cluster on the state machine's existing state (a seeded store):
   * the state at {@code index} becomes the base of the log, which starts after it with {@code
   * term}, and a snapshot of it is owed ({@link SeedMarker}). Durable when it returns; call before
   * {@link #recover}, on empty stores.
   */
  void seed(long index, long term, Configuration configuration) {
    if (log.lastIndex() != 0 || log.snapshotIndex() != 0 || store.newest().isPresent()) {
      throw new IllegalStateException("graft node " + self + " cannot seed: its Raft log or"
          + " snapshots are not empty (last index " + log.lastIndex() + ")");
    }
    if (stateMachine.lastAppliedIndex() != index) {
      throw new IllegalStateException("graft node " + self + " cannot seed at " + index
          + ": the state machine is at " + stateMachine.lastAppliedIndex());
    }
    SeedMarker.write(store.root(),
        new SeedMarker.Pending(index, term, ConfigurationCodec.encode(configuration)));
    log.compactPrefix(index, term);
    log.sync();
    logger.info("graft node {}: seeded a new cluster on the existing state at index {} (term {},"
        + " {}); a snapshot of it is taken once the node runs", self, index, term, configuration);
  }

  /**
   * At start, before the apply worker reads the applied index: finishes an install that a crash
   * interrupted (a complete snapshot beyond what the log vouches for as committed: the state
   * machine, then the log reset) and catches a state machine that is behind the compacted log up.
   */
  Recovered recover(HardState hardState, Set<MemberId> initialVoters) throws Exception {
    Optional<LocalSnapshot> newest = store.newest();
    if (newest.isPresent()) {
      LocalSnapshot s = newest.get();
      boolean beyondLog = s.index() > Math.max(hardState.commitIndex(), log.snapshotIndex());
      long applied = stateMachine.lastAppliedIndex();
      if (applied < s.index() && (beyondLog || applied < log.snapshotIndex())) {
        logger.info("graft node {}: installing local {} at start", self, s.manifest());
        support.install(s.filesDirectory(), s.index());
      }
      if (beyondLog) {
        resetLog(s.index(), s.term());
      }
    }
    Optional<SeedMarker.Pending> seed = SeedMarker.read(store.root());
    if (seed.isPresent() && newest.isPresent() && newest.get().index() >= seed.get().index()) {
      SeedMarker.delete(store.root()); // a crash after the snapshot, before the marker went
      seed = Optional.empty();
    }
    if (stateMachine.lastAppliedIndex() < log.snapshotIndex()) {
      throw new IllegalStateException("state machine of " + self + " is at "
          + stateMachine.lastAppliedIndex() + " but the log was compacted to "
          + log.snapshotIndex() + " and no local snapshot covers it; restore the snapshots"
          + " directory or rebuild this member");
    }
    return new Recovered(newest.orElse(null), seed.orElse(null),
        configuration(newest.orElse(null), seed.orElse(null), initialVoters));
  }

  /** The configuration as of the applied index: snapshot's, then the log's entries after it. */
  private Configuration configuration(LocalSnapshot s, SeedMarker.Pending seed,
      Set<MemberId> initialVoters) {
    long applied = stateMachine.lastAppliedIndex();
    long base = s != null ? s.index() : seed != null ? seed.index() : 0;
    Configuration c = s != null ? SnapshotCoordinator.meta(s).configuration()
        : seed != null ? ConfigurationCodec.decode(seed.configuration())
        : initialVoters.contains(self) ? Configuration.ofVoters(initialVoters) : null;
    if (applied > base && (log.firstIndex() > base + 1 || applied > log.lastIndex())) {
      return null; // entries in between are not in the log: unknown until the next snapshot
    }
    long next = base + 1;
    while (next <= applied) {
      List<LogEntry> part = log.entries(next, applied + 1, 4L << 20);
      for (LogEntry e : part) {
        if (e.type() == EntryType.CONFIGURATION) {
          c = ConfigurationCodec.decode(e.payload());
        }
      }
      next += part.size();
    }
    return c;
  }

  /**
   * §5.3 receiver rules 6-7: keep the entries after the snapshot if the log holds its last entry,
   * otherwise discard the whole log. Durable when it returns (compaction writes log-meta
   * synchronously; truncation forces the segment).
   */
  void resetLog(long index, long term) {
    awaitWrites.run();
    boolean matches = index > log.snapshotIndex() && index <= log.lastIndex()
        && log.term(index) == term;
    if (!matches && log.lastIndex() > log.snapshotIndex()) {
      log.truncateSuffix(log.snapshotIndex() + 1);
    }
    log.compactPrefix(index, term);
    log.sync();
  }
}
