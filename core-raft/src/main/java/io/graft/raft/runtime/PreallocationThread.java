package io.graft.raft.runtime;

import io.graft.raft.api.MemberId;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The segmented log's preallocation thread of a node whose builder opened the log: one background
 * thread that exists only while a segment is being preallocated, stopped after the log is closed.
 */
final class PreallocationThread {
  private PreallocationThread() {}

  static ExecutorService start(MemberId self) {
    return new ThreadPoolExecutor(
        0,
        1,
        10,
        TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(),
        r -> {
          Thread t = new Thread(r, "graft-log-prealloc-" + self);
          t.setDaemon(true);
          return t;
        });
  }

  /** After the log is closed (no preparation runs any more); nothing if {@code pool} is null. */
  static void stop(ExecutorService pool) {
    if (pool == null) {
      return;
    }
    pool.shutdownNow();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
