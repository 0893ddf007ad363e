package io.graft.bridge.capture;

import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Committing threads waiting for the local apply of their own entry, keyed by the proposal id the
 * entry carries. Ids start at a random point so an entry from a previous incarnation of this
 * member (replayed after a restart) never matches a waiter of this one.
 */
public final class ProposalWaiters {
  private final AtomicLong nextId = new AtomicLong(new SecureRandom().nextLong() >>> 1);
  private final Map<Long, CompletableFuture<Long>> waiters = new ConcurrentHashMap<>();

  public long register(CompletableFuture<Long> future) {
    long id = nextId.incrementAndGet();
    waiters.put(id, future);
    return id;
  }

  public void forget(long proposalId) {
    waiters.remove(proposalId);
  }

  public void complete(long proposalId, long txId) {
    CompletableFuture<Long> f = waiters.remove(proposalId);
    if (f != null) {
      f.complete(txId);
    }
  }

  public void fail(long proposalId, Throwable cause) {
    CompletableFuture<Long> f = waiters.remove(proposalId);
    if (f != null) {
      f.completeExceptionally(cause);
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
