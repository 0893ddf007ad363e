package io.graft.raft.runtime;

import io.graft.raft.api.RaftLogging;
import io.graft.raft.api.metrics.RaftMetrics;
import io.graft.raft.message.LogEntry;
import io.graft.raft.protocol.RaftMachine;
import io.graft.raft.protocol.Ready;
import io.graft.raft.storage.LogStore;
import io.graft.raft.storage.MetaStore;
import io.graft.raft.transport.Transport;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The production Ready handling, {@link ReadyHandler} and {@link DurableWriter} exactly as {@link
 * RaftNodeRunner} uses them, for a host that drives a {@link RaftMachine} on its own single thread
 * with its own executor for the sync side, clock and transport: the deterministic simulation,
 * which thereby checks the runtime's own order of effects rather than a copy of it. The host
 * steps, ticks and proposes on the machine, then calls {@link #process}; when its executor runs a
 * sync-side task, it calls {@link #process} again.
 */
public final class ReadyDriver {
  /** Points between the steps of a Ready where a test may crash the member ({@code hook}). */
  public enum CrashPoint {
    /** Owner, before the Ready's messagesNow leave. */
    BEFORE_SEND,
    /** Owner, after messagesNow, before the log write. */
    BEFORE_WRITE,
    /** Owner, after the write (not durable yet), before committed entries are handed to apply. */
    BEFORE_APPLY,
    /** Sync side, before the hard state is saved. */
    SYNC_BEFORE_SAVE,
    /** Sync side, after the hard state was saved, before the log fsync. */
    SYNC_BEFORE_FORCE,
    /** Sync side, after the log fsync, before the writes are marked durable. */
    SYNC_AFTER_FORCE,
    /** Owner, a write is durable, before its messagesAfterPersist leave. */
    BEFORE_SEND_AFTER_PERSIST,
    /** Owner, after messagesAfterPersist, before {@code advance}. */
    BEFORE_ADVANCE
  }

  private static final int ROUNDS_MAX = 1_000;

  private final ConsensusMachine machine;
  private final DurableWriter writer;
  private final ReadyHandler handler;
  private final RaftMetricsRecorder metrics = new RaftMetricsRecorder();

  /**
   * @param machine the machine this driver carries out Readies for (built from {@code log} and
   *     {@code meta}'s durable state)
   * @param apply receives committed, durable entries in order (the apply hand-off)
   * @param snapshotEffects receives every Ready, for its snapshot effects
   * @param syncExecutor runs the sync side (fsyncs); it may run tasks inline or later, one at a
   *     time
   * @param nanoClock the clock of the commit-hint rate limit and the metrics
   * @param hook called at each {@link CrashPoint}; it may throw to crash the member there (the
   *     exception leaves {@link #process}, {@link #awaitWrites} or the executor's task)
   * @param ownerIdle when it says the owner has nothing else to do (as the runner does when its
   *     inbox is empty), a write is made durable on the calling thread; null: every write goes to
   *     {@code syncExecutor}
   * @param logging where the member's lines go
   */
  public ReadyDriver(
      RaftMachine machine,
      LogStore log,
      MetaStore meta,
      Transport transport,
      Consumer<List<LogEntry>> apply,
      Consumer<Ready> snapshotEffects,
      Executor syncExecutor,
      LongSupplier nanoClock,
      Consumer<CrashPoint> hook,
      java.util.function.BooleanSupplier ownerIdle,
      RaftLogging logging) {
    this.machine = ConsensusMachine.wrap(Objects.requireNonNull(machine, "machine"));
    this.writer =
        new DurableWriter(
            logging.logger(DurableWriter.class),
            log,
            meta,
            new ProposalRegistry(),
            metrics,
            syncExecutor,
            null,
            nanoClock,
            ownerIdle,
            () -> {},
            ReadyDriver::rethrow);
    this.handler =
        new ReadyHandler(
            transport, writer, apply, snapshotEffects, m -> {}, metrics, nanoClock);
    writer.load();
    writer.hook(
        step ->
            hook.accept(
                switch (step) {
                  case BEFORE_SAVE -> CrashPoint.SYNC_BEFORE_SAVE;
                  case BEFORE_FORCE -> CrashPoint.SYNC_BEFORE_FORCE;
                  case AFTER_FORCE -> CrashPoint.SYNC_AFTER_FORCE;
                }));
    handler.hook(
        step ->
            hook.accept(
                switch (step) {
                  case BEFORE_SEND -> CrashPoint.BEFORE_SEND;
                  case BEFORE_WRITE -> CrashPoint.BEFORE_WRITE;
                  case BEFORE_APPLY -> CrashPoint.BEFORE_APPLY;
                  case BEFORE_SEND_AFTER_PERSIST -> CrashPoint.BEFORE_SEND_AFTER_PERSIST;
                  case BEFORE_ADVANCE -> CrashPoint.BEFORE_ADVANCE;
                }));
  }

  private static void rethrow(Throwable t) {
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new IllegalStateException(t);
  }

  /**
   * Completes the writes that became durable and carries out Readies until the machine has
   * nothing new to hand out (as the runner's owner thread does after each batch).
   *
   * @throws IllegalStateException if the machine still has a Ready after 1,000 rounds (livelock)
   */
  public void process() {
    handler.finishDurable(machine);
    int rounds = 0;
    while (machine.hasReady()) {
      if (++rounds > ROUNDS_MAX) {
        throw new IllegalStateException("still hasReady after " + ROUNDS_MAX + " rounds");
      }
      handler.handle(machine, machine.ready());
    }
  }

  /**
   * Makes every queued write durable now (waiting for the sync side) and completes them (their
   * messages leave), as the runtime does before a truncation, a compaction or a log reset.
   */
  public void awaitWrites() {
    handler.quiesce(machine);
  }

  /**
   * A clean stop as {@link RaftNodeRunner#close} does it: queued writes become durable (their
   * Readies are never advanced), then the machine's hard state is saved if it changed. The driver
   * must not be used afterwards.
   */
  public void shutDown() {
    writer.awaitIdle();
    writer.saveOnClose(machine.hardState());
  }

  /** Writes handed out and not yet completed by {@link #process}. */
  public int writesInFlight() {
    return writer.inFlight();
  }

  /** The same metrics the runner records. */
  public RaftMetrics metrics() {
    return metrics.snapshot(machine.term());
  }
}
