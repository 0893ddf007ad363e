package io.graft.raft.runtime.snapshot;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.message.InstallSnapshot;
import io.graft.raft.message.InstallSnapshotResponse;
import io.graft.raft.transport.Transport;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * The leader's side of InstallSnapshot (thesis §5.3, chunked): streams a local snapshot to one
 * follower in chunks of at most {@code chunkBytes}, each with a CRC32C, one chunk in flight
 * (stop-and-wait: the follower's answer names the offset it wants next, so a lost chunk, a corrupt
 * chunk and a broken connection are all handled by sending from that offset). A chunk unanswered
 * for {@code resendMillis} is sent again; a transfer silent for {@code abandonMillis} is dropped
 * (the protocol re-issues it, and the follower resumes from its partial download).
 *
 * <p>Threading: confined to the caller's single snapshot thread (see {@link SnapshotService}).
 */
public final class SnapshotSender {
  private final Logger log;

  private final MemberId self;
  private final SnapshotStore store;
  private final Transport transport;
  private final int chunkBytes;
  private final long resendMillis;
  private final long abandonMillis;
  private final LongSupplier clockMillis;
  private final Map<MemberId, Transfer> transfers = new HashMap<>();

  /** One transfer to one follower. */
  private static final class Transfer {
    final MemberId to;
    final long term;
    final SnapshotStream stream;
    long acked;
    long sentOffset = -1;
    int sentCount;
    long sentAt;
    long heardAt;
    int loggedDecile = -1;
    boolean counted;

    Transfer(MemberId to, long term, SnapshotStream stream, long now) {
      this.to = to;
      this.term = term;
      this.stream = stream;
      this.heardAt = now;
    }

    long index() {
      return stream.snapshot().index();
    }
  }

  /** Counters for metrics: written on the snapshot thread, read from any. */
  private final java.util.concurrent.atomic.AtomicLong started =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong completed =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong bytesSent =
      new java.util.concurrent.atomic.AtomicLong();

  public SnapshotSender(MemberId self, SnapshotStore store, Transport transport, int chunkBytes,
      long resendMillis, long abandonMillis, LongSupplier clockMillis, RaftLogging logging) {
    this.log = logging.logger(SnapshotSender.class);
    this.self = self;
    this.store = store;
    this.transport = transport;
    this.chunkBytes = chunkBytes;
    this.resendMillis = resendMillis;
    this.abandonMillis = abandonMillis;
    this.clockMillis = clockMillis;
  }

  /**
   * Starts (or resumes) sending the snapshot at {@code index}/{@code term}, or a newer local one
   * if that one was superseded, with chunks of leader term {@code leaderTerm}.
   */
  public void send(MemberId to, long leaderTerm, long index, long term) {
    long now = clockMillis.getAsLong();
    Transfer existing = transfers.get(to);
    if (existing != null && existing.term == leaderTerm && existing.index() >= index) {
      if (!sendChunk(existing, existing.acked, now)) { // resume where the follower stands
        transfers.remove(to);
      }
      return;
    }
    Optional<LocalSnapshot> snapshot = store.find(index, term).or(store::newest)
        .filter(s -> s.index() >= index);
    if (snapshot.isEmpty()) {
      log.warn("graft snapshot i{} t{} for {} is gone and nothing newer exists", index, term, to);
      transfers.remove(to);
      return;
    }
    Transfer t = new Transfer(to, leaderTerm, new SnapshotStream(snapshot.get()), now);
    transfers.put(to, t);
    started.incrementAndGet();
    log.info("graft snapshot to {}: {} ({} bytes streamed)", to, snapshot.get().manifest(),
        t.stream.totalBytes());
    if (!sendChunk(t, 0, now)) {
      transfers.remove(to);
    }
  }

  /** An answer from a follower: continue from the offset it wants. */
  public void onResponse(InstallSnapshotResponse r) {
    Transfer t = transfers.get(r.from());
    if (t == null || r.lastIncludedIndex() != t.index()) {
      return;
    }
    long now = clockMillis.getAsLong();
    if (r.term() > t.term || r.done()) {
      transfers.remove(r.from()); // deposed (the protocol steps down) or settled
      return;
    }
    t.heardAt = now;
    long total = t.stream.totalBytes();
    long want = Math.min(r.nextOffset(), total);
    t.acked = want;
    if (want == total && !t.counted) {
      t.counted = true; // every byte acknowledged: the follower installs it next
      completed.incrementAndGet();
    }
    logProgress(t);
    // The chunk it wants was already sent twice (answers to stale duplicates, e.g. chunks queued
    // during a broken connection): leave it to the resend timer instead of multiplying copies.
    boolean alreadyInFlight = want == t.sentOffset && t.sentCount >= 2;
    if (want < total && !alreadyInFlight && !sendChunk(t, want, now)) {
      transfers.remove(r.from());
    }
  }

  /** Called periodically: resend unanswered chunks, drop silent transfers. */
  public void poll() {
    long now = clockMillis.getAsLong();
    transfers.values().removeIf(t -> {
      if (now - t.heardAt > abandonMillis) {
        log.warn("graft snapshot to {}: no answer for {} ms at {}/{} bytes; dropped until the"
            + " leader asks again", t.to, now - t.heardAt, t.acked, t.stream.totalBytes());
        return true;
      }
      return t.acked < t.stream.totalBytes() && now - t.sentAt >= resendMillis
          && !sendChunk(t, t.acked, now);
    });
  }

  /** Bytes acknowledged by one follower of the snapshot being streamed to it. */
  public record TransferProgress(MemberId to, long index, long bytesAcked, long bytesTotal) {}

  /** Transfers in progress and how far each got (progress is also logged every 10%). */
  public java.util.List<TransferProgress> progress() {
    java.util.List<TransferProgress> out = new java.util.ArrayList<>();
    for (Transfer t : transfers.values()) {
      out.add(new TransferProgress(t.to, t.index(), t.acked, t.stream.totalBytes()));
    }
    return out;
  }

  /**
   * Transfers started, transfers whose every byte the receiver acknowledged, and chunk bytes sent
   * (resends included) since this sender was made.
   */
  public long[] counts() {
    return new long[] {started.get(), completed.get(), bytesSent.get()};
  }

  public void clear() {
    transfers.clear();
  }

  /** Sends one chunk; false if the snapshot can no longer be read (superseded and deleted). */
  private boolean sendChunk(Transfer t, long offset, long now) {
    byte[] data;
    try {
      data = t.stream.read(offset, chunkBytes);
    } catch (IOException e) {
      log.warn("graft snapshot to {}: cannot read {}: {}", t.to, t.stream.snapshot().directory(),
          e.toString());
      return false;
    }
    boolean done = offset + data.length == t.stream.totalBytes();
    SnapshotManifest m = t.stream.snapshot().manifest();
    transport.send(t.to, new InstallSnapshot(self, t.term, m.index(), m.term(), m.configuration(),
        offset, data, SnapshotFiles.crc32c(data), done));
    bytesSent.addAndGet(data.length);
    t.sentCount = offset == t.sentOffset ? t.sentCount + 1 : 1;
    t.sentOffset = offset;
    t.sentAt = now;
    return true;
  }

  private void logProgress(Transfer t) {
    long total = t.stream.totalBytes();
    int decile = (int) (t.acked * 10 / Math.max(1, total));
    if (decile != t.loggedDecile) {
      t.loggedDecile = decile;
      log.info("graft snapshot i{} to {}: {}/{} bytes ({}%)", t.index(), t.to, t.acked, total,
          t.acked * 100 / Math.max(1, total));
    }
  }
}
