package io.graft.raft.runtime;

import io.graft.raft.api.RaftLogging;
import io.graft.raft.message.LogEntry;
import io.graft.raft.protocol.HardState;
import io.graft.raft.protocol.Ready;
import io.graft.raft.storage.LogStore;
import io.graft.raft.storage.MetaStore;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * The persist step of a Ready, on the owner thread: truncate a conflicting suffix, append, save the
 * hard state, then ONE sync for everything (group commit). Any {@link
 * io.graft.raft.storage.StorageException} propagates and stops the node.
 */
final class DurableWriter {
  private static final Logger LOG = RaftLogging.logger(DurableWriter.class);

  /**
   * A commit-index-only hard state change is saved at most this often (the hint is recoverable).
   */
  private static final long COMMIT_HINT_SAVE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final LogStore log;
  private final MetaStore meta;
  private final ProposalRegistry registry;
  private final RaftMetricsRecorder metrics;
  private HardState saved;
  private long entriesSinceSync;
  private long commitHintSavedNanos;

  DurableWriter(
      LogStore log, MetaStore meta, ProposalRegistry registry, RaftMetricsRecorder metrics) {
    this.log = log;
    this.meta = meta;
    this.registry = registry;
    this.metrics = metrics;
  }

  /** Loads the durable hard state at start. */
  HardState load() {
    saved = meta.load();
    commitHintSavedNanos = System.nanoTime();
    return saved;
  }

  void persist(Ready ready) {
    List<LogEntry> entries = ready.entriesToPersist();
    if (!entries.isEmpty()) {
      long firstIndex = entries.get(0).index();
      if (firstIndex <= log.lastIndex()) {
        // §5.3: a conflicting suffix is replaced; the protocol never hands us a committed index
        // here.
        log.truncateSuffix(firstIndex);
      }
      registry.persisting(entries);
      log.append(entries);
      entriesSinceSync += entries.size();
    }
    if (ready.hardState() != null) {
      save(ready.hardState(), false);
    }
    if (ready.mustSync()) {
      long started = System.nanoTime();
      log.sync();
      if (entriesSinceSync > 0) {
        metrics.fsynced(System.nanoTime() - started, entriesSinceSync);
        entriesSinceSync = 0;
      }
    }
  }

  /**
   * Term and vote must be durable before any message that depends on them (Figure 2: "updated on
   * stable storage before responding to RPCs"); the commit index is only a hint (recoverable from a
   * quorum), so a change of it alone is saved at most once a second instead of costing an extra
   * fsync per batch; {@code force} saves it anyway (clean close).
   */
  void save(HardState next, boolean force) {
    boolean termOrVote =
        next.term() != saved.term() || !Objects.equals(next.votedFor(), saved.votedFor());
    boolean commitDue =
        next.commitIndex() != saved.commitIndex()
            && (force || System.nanoTime() - commitHintSavedNanos >= COMMIT_HINT_SAVE_NANOS);
    if (termOrVote || commitDue) {
      meta.save(next);
      saved = next;
      commitHintSavedNanos = System.nanoTime();
    }
  }

  /** Closes both stores, logging (not throwing) failures: close must always finish. */
  void close(Object self) {
    try {
      log.close();
    } catch (RuntimeException e) {
      LOG.warn("graft node {}: closing the log failed", self, e);
    }
    try {
      meta.close();
    } catch (RuntimeException e) {
      LOG.warn("graft node {}: closing the meta store failed", self, e);
    }
  }
}
