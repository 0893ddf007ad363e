package io.graft.raft.runtime;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.api.Role;
import io.graft.raft.api.SnapshotSupport;
import io.graft.raft.api.StateMachine;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.InstallSnapshot;
import io.graft.raft.message.InstallSnapshotResponse;
import io.graft.raft.message.LogEntry;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.protocol.HardState;
import io.graft.raft.protocol.Ready;
import io.graft.raft.protocol.SnapshotMeta;
import io.graft.raft.protocol.SnapshotSend;
import io.graft.raft.protocol.membership.Configuration;
import io.graft.raft.protocol.membership.ConfigurationCodec;
import io.graft.raft.runtime.snapshot.LocalSnapshot;
import io.graft.raft.runtime.snapshot.SeedMarker;
import io.graft.raft.runtime.snapshot.SnapshotService;
import io.graft.raft.runtime.snapshot.SnapshotStore;
import io.graft.raft.storage.LogStore;
import io.graft.raft.transport.Transport;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * Snapshots and log compaction of one running member (thesis §5): takes a snapshot every {@link
 * SnapshotPolicy#snapshotEveryEntries()} entries or {@link SnapshotPolicy#snapshotEveryBytes()}
 * applied payload bytes (once the log since the last one is also {@link
 * SnapshotPolicy#logToSnapshotRatio()} times its size), on the apply thread, or on a snapshot
 * thread of its own while applies go on when the state machine's support {@link
 * SnapshotSupport#writesWhileApplying writes while applying}, and then prunes the log prefix on
 * the owner thread (keeping {@code retainEntries}, never beyond the commit index nor beyond the
 * state machine's {@link StateMachine#durableIndex durable index}); streams snapshots the
 * protocol asks for; installs a received, verified snapshot on the apply thread, then
 * resets the log and tells the protocol on the owner thread. At start it finishes an install that a
 * crash interrupted and catches the state machine up to a compacted log.
 *
 * <p>Without {@link StateMachine#snapshots()} there is no coordinator: the log is never compacted,
 * so no follower is ever stranded, and a new member replays the whole log.
 */
final class SnapshotCoordinator implements AutoCloseable {
  /** How long a snapshot thread waits for the apply thread to record the index it covers. */
  private static final long META_WAIT_MILLIS = 60_000;
  private static final long CLOSE_WAIT_SECONDS = 10;

  private final MemberId self;
  private final StateMachine stateMachine;
  private final SnapshotSupport support;
  private final SnapshotStore store;
  private final SnapshotPolicy policy;
  private final LogStore log;
  private final SnapshotService service;
  private final Consumer<Runnable> ownerTasks;
  /**
   * Before compaction or a log reset: waits until no log fsync runs and completes the finished
   * writes (ReadyHandler.quiesce).
   */
  private final Runnable awaitWrites;
  private ApplyWorker applyWorker;
  private Supplier<ConsensusMachine> machine;
  /** For a support that writes while applying: its writes run here, one at a time. */
  private final ExecutorService snapshotThread;
  private final AppliedHistory history = new AppliedHistory();
  private volatile Future<?> writing = CompletableFuture.completedFuture(null);
  /** Files of the newest snapshot taken, installed or found at start (0: none). */
  private volatile long lastSnapshotFileBytes;

  // Apply thread only (after start).
  private long lastSnapshotIndex;
  private long bytesAtLastSnapshot;
  /** The snapshot a seeded member still owes (see {@link SeedMarker}), or null. */
  private volatile SeedMarker.Pending pendingSeed;
  private final Logger logger;
  private final SnapshotRecovery recovery;
  /** Configuration as of the applied index; null while unknown (then no snapshot is taken). */
  private Configuration configAtApplied;

  SnapshotCoordinator(MemberId self, StateMachine stateMachine, Path directory,
      SnapshotPolicy policy, LogStore log, Transport transport, Consumer<Runnable> ownerTasks,
      Runnable awaitWrites, RaftLogging logging) {
    this.logger = logging.logger(SnapshotCoordinator.class);
    this.self = self;
    this.stateMachine = stateMachine;
    this.support = stateMachine.snapshots();
    this.store = new SnapshotStore(directory, logging);
    this.policy = policy;
    this.log = log;
    this.ownerTasks = ownerTasks;
    this.awaitWrites = awaitWrites;
    this.recovery = new SnapshotRecovery(logger, self, stateMachine, store, log, awaitWrites);
    this.service = new SnapshotService(self, store, transport, policy.chunkBytes(),
        policy.resendMillis(), this::onReceived, logging);
    this.snapshotThread = support.writesWhileApplying()
        ? Executors.newSingleThreadExecutor(r -> {
          Thread t = new Thread(r, "graft-snapshot-" + self);
          t.setDaemon(true);
          return t;
        })
        : null;
  }

  /** Null if the state machine cannot snapshot or no directory is configured. */
  static SnapshotCoordinator createIfSupported(RaftNodeBuilder spec, Consumer<Runnable> tasks,
      Runnable awaitWrites) {
    if (spec.stateMachine.snapshots() == null || spec.snapshotDirectory == null) {
      return null;
    }
    return new SnapshotCoordinator(spec.self, spec.stateMachine, spec.snapshotDirectory,
        spec.snapshotPolicy, spec.logStore, spec.transport, tasks, awaitWrites, spec.logging);
  }

  static SnapshotMeta meta(LocalSnapshot s) {
    return new SnapshotMeta(s.index(), s.term(),
        ConfigurationCodec.decode(s.manifest().configuration()));
  }

  /** See {@link SnapshotRecovery#seed}; a snapshot of it is taken once the node runs. */
  void seed(long index, long term, Configuration configuration) {
    recovery.seed(index, term, configuration);
  }

  /** See {@link SnapshotRecovery#recover}. Returns the newest local snapshot, or null. */
  SnapshotMeta recover(HardState hardState, Set<MemberId> initialVoters) throws Exception {
    SnapshotRecovery.Recovered r = recovery.recover(hardState, initialVoters);
    if (r.newest() != null) {
      lastSnapshotIndex = r.newest().index();
      lastSnapshotFileBytes = r.newest().manifest().fileBytes();
    }
    pendingSeed = r.pendingSeed();
    configAtApplied = r.configAtApplied();
    return r.newest() == null ? null : meta(r.newest());
  }

  /** Wires the threads; call before the apply worker and owner start. */
  void attach(ApplyWorker worker, Supplier<ConsensusMachine> owner) {
    this.applyWorker = worker;
    this.machine = owner;
    worker.afterApply(this::afterApply);
    if (pendingSeed != null) {
      worker.enqueueTask(this::takeSeedSnapshot);
    }
  }

  // ---- apply thread ----

  private void afterApply(LogEntry e) {
    if (e.type() == EntryType.CONFIGURATION) {
      configAtApplied = ConfigurationCodec.decode(e.payload());
    }
    if (snapshotThread != null) {
      history.applied(e.index(), e.term(), configAtApplied);
    }
    if (pendingSeed != null) {
      // an earlier attempt at the seed snapshot failed: retried here, on the apply thread
      if (configAtApplied != null) {
        bytesAtLastSnapshot = applyWorker.appliedPayloadBytes();
        take(e.index(), e.term());
      }
      return;
    }
    long bytes = applyWorker.appliedPayloadBytes();
    boolean due = policy.due(e.index() - lastSnapshotIndex, bytes - bytesAtLastSnapshot,
        lastSnapshotFileBytes);
    if (configAtApplied == null || !due) {
      return;
    }
    if (snapshotThread != null) {
      if (!writing.isDone()) {
        return; // one at a time: the next apply asks again
      }
      lastSnapshotIndex = e.index();
      bytesAtLastSnapshot = bytes;
      writing = snapshotThread.submit(this::writeWhileApplying);
      return;
    }
    lastSnapshotIndex = e.index();
    bytesAtLastSnapshot = bytes;
    take(e.index(), e.term());
  }

  /** The first task of a seeded member's apply thread: the snapshot of the seeded state. */
  private void takeSeedSnapshot() {
    SeedMarker.Pending seed = pendingSeed;
    if (seed == null || stateMachine.lastAppliedIndex() != seed.index()) {
      return; // taken already, or the next afterApply takes it at a later index
    }
    logger.info("graft node {}: taking the snapshot of the seeded state at index {}", self,
        seed.index());
    take(seed.index(), seed.term());
  }

  private void take(long index, long term) {
    try {
      LocalSnapshot taken = store.take(support, index, term,
          ConfigurationCodec.encode(configAtApplied));
      if (pendingSeed != null) {
        SeedMarker.delete(store.root());
        pendingSeed = null;
      }
      lastSnapshotIndex = index;
      lastSnapshotFileBytes = taken.manifest().fileBytes();
      ownerTasks.accept(() -> onTaken(taken));
    } catch (Exception ex) {
      // Not fatal: the log is simply not compacted this time. A seeded member's first snapshot
      // is retried after every applied entry: no member can join before it exists.
      logger.warn("graft node {}: snapshot at {} failed{}: {}", self, index,
          pendingSeed != null ? " (the seeded state's, retried after the next entry)" : "",
          ex.toString(), ex);
    }
  }

  // ---- snapshot thread ----

  /** A write that chooses its own index while applies go on; its term and config from history. */
  private void writeWhileApplying() {
    try {
      LocalSnapshot taken = store.take(support, index -> history.meta(index, META_WAIT_MILLIS));
      history.forgetBefore(taken.index());
      lastSnapshotFileBytes = taken.manifest().fileBytes();
      ownerTasks.accept(() -> onTaken(taken));
    } catch (Exception ex) {
      // Not fatal: the log is simply not compacted this time.
      logger.warn("graft node {}: snapshot failed: {}", self, ex.toString(), ex);
    }
  }

  /** Apply thread: an install must not interleave with a write's phases; wait for it to end. */
  private void awaitWrite() {
    try {
      writing.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // writeWhileApplying logs its own failures
    }
  }

  private void install(LocalSnapshot s, MemberId from) {
    awaitWrite();
    try {
      if (stateMachine.lastAppliedIndex() < s.index()) {
        logger.info("graft node {}: installing {} from {}", self, s.manifest(), from);
        support.install(s.filesDirectory(), s.index());
        applyWorker.advanceApplied(s.index());
        configAtApplied = meta(s).configuration();
        lastSnapshotIndex = s.index();
        lastSnapshotFileBytes = s.manifest().fileBytes();
        bytesAtLastSnapshot = applyWorker.appliedPayloadBytes();
        history.reset(s.index(), s.term(), configAtApplied);
      }
      ownerTasks.accept(() -> restore(s, from));
    } catch (Exception e) {
      // SnapshotSupport: a failed install is fatal (the state may be half replaced).
      throw new IllegalStateException("snapshot install of " + s.manifest() + " failed", e);
    } finally {
      service.installed(s);
    }
  }

  // ---- snapshot thread ----

  private void onReceived(LocalSnapshot s, MemberId from) {
    applyWorker.enqueueTask(() -> install(s, from));
  }

  // ---- owner thread ----

  /** After a local snapshot: offer it to followers, prune the log behind it. */
  private void onTaken(LocalSnapshot s) {
    ConsensusMachine m = machine.get();
    m.snapshotAvailable(meta(s));
    // Never past what the state machine holds durably: a crash then still finds every entry it
    // must re-apply in the log (graft: Neo4j's log is forced at checkpoints, not per apply).
    long upTo = Math.min(Math.min(s.index() - policy.retainEntries(), m.commitIndex()),
        stateMachine.durableIndex());
    if (upTo > log.snapshotIndex() && upTo <= log.lastIndex()) {
      awaitWrites.run();
      log.compactPrefix(upTo, log.term(upTo));
      logger.info("graft node {}: log compacted to {} after {}", self, upTo, s.manifest());
    }
  }

  /** After an install: the log starts at the snapshot, the protocol adopts it and answers. */
  private void restore(LocalSnapshot s, MemberId from) {
    ConsensusMachine m = machine.get();
    if (m.softState().role() == Role.LEADER) {
      // Elected while the install ran: a leader never discards log entries (Leader Append-Only,
      // §5.3) and already holds every committed entry (§5.4), so the installed state machine is
      // simply ahead of the applies; entries up to the snapshot are skipped by the apply worker.
      m.snapshotAvailable(meta(s));
      return;
    }
    if (s.index() > m.commitIndex()) {
      recovery.resetLog(s.index(), s.term());
    }
    m.restoreSnapshot(meta(s), from);
    m.snapshotAvailable(meta(s));
  }

  /** Carries out a Ready's snapshot effects (step 5 of the Ready order). */
  void onReady(Ready ready) {
    for (SnapshotSend send : ready.snapshotsToSend()) {
      service.send(send.to(), send.term(), send.snapshot().index(), send.snapshot().term());
    }
    for (InstallSnapshot chunk : ready.snapshotChunks()) {
      service.onChunk(chunk);
    }
  }

  /** Inbound messages the sender needs besides the protocol (chunk acknowledgements). */
  void onInbound(RaftMessage message) {
    if (message instanceof InstallSnapshotResponse r) {
      service.onResponse(r);
    }
  }

  SnapshotService service() {
    return service;
  }

  SnapshotStore store() {
    return store;
  }

  @Override
  public void close() {
    service.close();
    if (snapshotThread != null) {
      snapshotThread.shutdown();
      try {
        // A write in flight is copying the state: give it a moment, then leave it (daemon).
        snapshotThread.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
