package io.graft.bridge.capture;

import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.neo4j.storageengine.api.StorageCommand;

/**
 * Committing threads waiting for the local apply of their own entry, keyed by the proposal id the
 * entry carries. Ids start at a random point so an entry from a previous incarnation of this
 * member (replayed after a restart) never matches a waiter of this one.
 *
 * <p>Each waiter also holds the commands its kernel transaction built, so the leader applies its
 * own entry from them instead of reading them back from the entry's bytes (the leader fast path).
 * The apply thread {@link #claim}s them while it uses them; a committer that gives up ({@link
 * Proposal#close}: timeout, interrupt) waits for such a claim to end first, so its kernel
 * transaction never closes while its commands are being applied, and no claim starts after.
 */
public final class ProposalWaiters {
  private final AtomicLong nextId = new AtomicLong(new SecureRandom().nextLong() >>> 1);
  private final Map<Long, Proposal> waiters = new ConcurrentHashMap<>();
  private final WriteStages stages = new WriteStages();

  /** The Neo4j-side stage latencies of this member's own writes. */
  public WriteStages stages() {
    return stages;
  }

  /** One committer's proposal: its id, the future its apply completes, its kernel's commands. */
  public final class Proposal implements AutoCloseable {
    private final long id;
    private final CompletableFuture<Long> future = new CompletableFuture<>();
    private final List<StorageCommand> commands;
    private final long createdNanos = System.nanoTime();
    private volatile long proposedNanos;
    private boolean closed;
    private int claims;

    private Proposal(long id, List<StorageCommand> commands) {
      this.id = id;
      this.commands = commands;
    }

    public long id() {
      return id;
    }

    /** Completes with the tx id the local apply produced, or fails. */
    public CompletableFuture<Long> future() {
      return future;
    }

    /** The kernel's commands, for the apply thread that {@link #claim}ed them. */
    public List<StorageCommand> commands() {
      return commands;
    }

    /** The entry is encoded and about to be proposed: the start of its stage timeline. */
    public void proposing() {
      long now = System.nanoTime();
      proposedNanos = now;
      stages.record(WriteStages.Stage.ENCODED, now - createdNanos);
    }

    /** Apply thread: the Neo4j commit of this proposal's chain starts now. */
    public void applyStarted(long nowNanos) {
      stages.record(WriteStages.Stage.APPLY_STARTED, nowNanos - proposedNanos);
    }

    /** Apply thread: the Neo4j commit of this proposal's chain returned now. */
    public void neo4jCommitDone(long nowNanos) {
      stages.record(WriteStages.Stage.NEO4J_COMMIT_DONE, nowNanos - proposedNanos);
    }

    /** The committer has its transaction id. */
    public void released() {
      stages.record(WriteStages.Stage.COMMITTER_RELEASED, System.nanoTime() - proposedNanos);
    }

    /** The apply thread is done with the commands. */
    public synchronized void release() {
      claims--;
      notifyAll();
    }

    private synchronized boolean tryClaim() {
      if (closed || commands == null) {
        return false;
      }
      claims++;
      return true;
    }

    /**
     * The committer stops waiting (whatever the outcome): no claim starts from now on, and one in
     * progress ends before this returns.
     */
    @Override
    public void close() {
      waiters.remove(id, this);
      synchronized (this) {
        closed = true;
        boolean interrupted = false;
        while (claims > 0) {
          try {
            wait();
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /**
   * @param commands the kernel transaction's commands (applied on this member from these), or
   *     null to have the apply read them from the entry
   */
  public Proposal register(List<StorageCommand> commands) {
    Proposal p = new Proposal(nextId.incrementAndGet(), commands);
    waiters.put(p.id, p);
    return p;
  }

  /**
   * Apply thread: the waiting proposal {@code proposalId} with its commands, claimed until {@link
   * Proposal#release}; null if nobody waits for it any more (or it has no commands), in which case
   * the entry's own bytes are applied.
   */
  public Proposal claim(long proposalId) {
    Proposal p = waiters.get(proposalId);
    return p != null && p.tryClaim() ? p : null;
  }

  public void complete(long proposalId, long txId) {
    Proposal p = waiters.remove(proposalId);
    if (p != null) {
      p.future.complete(txId);
    }
  }

  public void fail(long proposalId, Throwable cause) {
    Proposal p = waiters.remove(proposalId);
    if (p != null) {
      p.future.completeExceptionally(cause);
    }
  }

  /** Fails every waiter (shutdown, panic): their outcome is decided by the log, not by us. */
  public void failAll(Throwable cause) {
    for (Long id : waiters.keySet()) {
      fail(id, cause);
    }
  }

  public int size() {
    return waiters.size();
  }
}
