package io.graft.raft.runtime;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftListener;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.api.RaftStatus;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * Calls {@link RaftListener}s on one dedicated thread, in the order the owner published the
 * changes, so a slow listener never holds up the owner thread.
 */
final class ListenerNotifier implements AutoCloseable {
  private final Logger log;
  private final MemberId self;
  private final List<RaftListener> listeners = new CopyOnWriteArrayList<>();
  private final ExecutorService executor;

  ListenerNotifier(MemberId self, List<RaftListener> initial, RaftLogging logging) {
    this.log = logging.logger(ListenerNotifier.class);
    this.self = self;
    this.listeners.addAll(initial);
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "graft-notify-" + self);
              t.setDaemon(true);
              return t;
            });
  }

  void add(RaftListener listener) {
    listeners.add(listener);
  }

  void notify(RaftStatus snapshot) {
    if (listeners.isEmpty()) {
      return;
    }
    try {
      executor.execute(
          () -> {
            for (RaftListener l : listeners) {
              try {
                l.onRoleChange(snapshot);
              } catch (RuntimeException e) {
                log.warn("graft node {}: listener {} failed", self, l, e);
              }
            }
          });
    } catch (RejectedExecutionException closing) {
      log.debug("graft node {}: listener notification skipped, node closing", self);
    }
  }

  /** Delivers what is queued (bounded wait), then stops the thread. */
  @Override
  public void close() {
    executor.shutdown();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
