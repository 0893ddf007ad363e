package io.graft.raft.runtime.snapshot;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.api.metrics.SnapshotMetrics;
import io.graft.raft.message.InstallSnapshot;
import io.graft.raft.message.InstallSnapshotResponse;
import io.graft.raft.transport.Transport;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;

/**
 * Runs one member's {@link SnapshotSender} and {@link SnapshotReceiver} on their own thread ({@code
 * graft-snapshot-<self>}), so reading and writing snapshot files never delays heartbeats or fsyncs
 * on the owner thread. Every entry point only enqueues.
 */
public final class SnapshotService implements AutoCloseable {
  private final Logger log;

  private final ScheduledExecutorService executor;
  private final SnapshotSender sender;
  private final SnapshotReceiver receiver;

  /**
   * @param chunkBytes bytes of snapshot per InstallSnapshot (e.g. 1 MiB)
   * @param resendMillis an unanswered chunk is sent again after this long
   * @param onReceived called on the snapshot thread with a complete, verified snapshot and the
   *     leader that sent it; the caller installs it and then calls {@link #installed}
   */
  public SnapshotService(MemberId self, SnapshotStore store, Transport transport, int chunkBytes,
      long resendMillis, BiConsumer<LocalSnapshot, MemberId> onReceived, RaftLogging logging) {
    this.log = logging.logger(SnapshotService.class);
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "graft-snapshot-" + self);
      t.setDaemon(true);
      return t;
    });
    // A silent transfer is forgotten after a minute; the protocol re-issues it if still needed.
    this.sender = new SnapshotSender(self, store, transport, chunkBytes, resendMillis,
        Math.max(60_000, 20 * resendMillis),
        () -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime()), logging);
    this.receiver = new SnapshotReceiver(self, store, transport, onReceived, logging);
    long period = Math.max(1, resendMillis / 2);
    executor.scheduleWithFixedDelay(() -> run(sender::poll), period, period,
        TimeUnit.MILLISECONDS);
  }

  public void send(MemberId to, long leaderTerm, long index, long term) {
    submit(() -> sender.send(to, leaderTerm, index, term));
  }

  public void onChunk(InstallSnapshot chunk) {
    submit(() -> receiver.onChunk(chunk));
  }

  public void onResponse(InstallSnapshotResponse response) {
    submit(() -> sender.onResponse(response));
  }

  public void installed(LocalSnapshot snapshot) {
    submit(() -> receiver.installed(snapshot));
  }

  /** The sender's transfers in progress. */
  public CompletableFuture<List<SnapshotSender.TransferProgress>> progress() {
    return CompletableFuture.supplyAsync(sender::progress, executor);
  }

  /** Chunks this member refused (bad checksum or offset). */
  public CompletableFuture<Long> refusedChunks() {
    return CompletableFuture.supplyAsync(receiver::refusedChunks, executor);
  }

  /**
   * Counters and the transfers in progress; waits at most 200 ms for the snapshot thread (a
   * busy one yields the counters without the in-progress list).
   */
  public SnapshotMetrics metrics() {
    long[] sent = sender.counts();
    long[] got = receiver.counts();
    List<SnapshotMetrics.Transfer> transfers = List.of();
    long refused = 0;
    try {
      transfers = progress().get(200, TimeUnit.MILLISECONDS).stream()
          .map(p -> new SnapshotMetrics.Transfer(p.to(), p.index(), p.bytesAcked(),
              p.bytesTotal()))
          .toList();
      refused = refusedChunks().get(200, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
        | java.util.concurrent.RejectedExecutionException e) {
      // busy or closed: counters only
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return new SnapshotMetrics(sent[0], sent[1], sent[2], got[0], got[1], refused, transfers);
  }

  private void submit(Runnable work) {
    try {
      executor.execute(() -> run(work));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed: snapshot traffic after shutdown is dropped like any message
    }
  }

  private void run(Runnable work) {
    try {
      work.run();
    } catch (RuntimeException e) {
      log.warn("graft snapshot task failed", e);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
