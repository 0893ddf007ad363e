package io.graft.raft.runtime.snapshot;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.message.InstallSnapshot;
import io.graft.raft.message.InstallSnapshotResponse;
import io.graft.raft.transport.Transport;
import java.io.IOException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;

/**
 * The follower's side of InstallSnapshot (thesis §5.3 receiver rules 2-5, chunked): checks each
 * chunk's CRC32C and offset, writes it into the partial download and answers with the offset it
 * wants next (a corrupt or out-of-place chunk is refused with {@code success=false} and the same
 * offset, which makes the leader send it again). When the stream is complete and every file
 * matches the manifest, the download becomes a complete snapshot and is handed to {@code
 * onComplete} for installation; until {@link #installed} chunks of it are answered as complete.
 *
 * <p>Only chunks that the protocol accepted (current term, current leader, beyond commitIndex)
 * reach this class. Threading: confined to the single snapshot thread.
 */
public final class SnapshotReceiver {
  private final Logger log;

  private final MemberId self;
  private final SnapshotStore store;
  private final Transport transport;
  private final BiConsumer<LocalSnapshot, MemberId> onComplete;
  private SnapshotDownload download;
  private LocalSnapshot installing;
  private int loggedDecile = -1;
  private long refusedChunks;

  private final java.util.concurrent.atomic.AtomicLong received =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong bytesReceived =
      new java.util.concurrent.atomic.AtomicLong();

  public SnapshotReceiver(MemberId self, SnapshotStore store, Transport transport,
      BiConsumer<LocalSnapshot, MemberId> onComplete, RaftLogging logging) {
    this.log = logging.logger(SnapshotReceiver.class);
    this.self = self;
    this.store = store;
    this.transport = transport;
    this.onComplete = onComplete;
  }

  public void onChunk(InstallSnapshot c) {
    if (installing != null && installing.index() == c.lastIncludedIndex()
        && installing.term() == c.lastIncludedTerm()) {
      reply(c, new SnapshotStream(installing).totalBytes(), true);
      return;
    }
    SnapshotDownload d = null;
    try {
      d = downloadFor(c);
      if (SnapshotFiles.crc32c(c.data()) != c.crc32c() || c.offset() != d.nextOffset()) {
        refusedChunks++;
        if (c.offset() == d.nextOffset()) {
          log.warn("graft snapshot i{} from {}: chunk at {} fails its CRC32C; asked again",
              c.lastIncludedIndex(), c.from(), c.offset());
        }
        reply(c, d.nextOffset(), false);
        return;
      }
      d.write(c.offset(), c.data());
      bytesReceived.addAndGet(c.data().length);
      logProgress(d, c.from());
      if (d.complete()) {
        received.incrementAndGet();
        installing = d.finish(store); // verifies every file; restarts the download on a mismatch
        download = null;
        reply(c, d.nextOffset(), true);
        onComplete.accept(installing, c.from());
        return;
      }
      reply(c, d.nextOffset(), true);
    } catch (IOException | RuntimeException e) {
      // The download's offset only moves after a complete write, so answering it is always safe:
      // 0 after a checksum mismatch at the end, the resume point after a transient write error.
      log.warn("graft snapshot i{} from {}: {}", c.lastIncludedIndex(), c.from(), e.toString());
      if (d != null) {
        reply(c, d.nextOffset(), false);
      }
    }
  }

  /** The snapshot handed to onComplete is installed (or failed): accept new downloads. */
  public void installed(LocalSnapshot snapshot) {
    if (installing != null && installing.index() == snapshot.index()) {
      installing = null;
    }
  }

  /** Complete snapshots handed over for install, and bytes written, since start (metrics). */
  public long[] counts() {
    return new long[] {received.get(), bytesReceived.get()};
  }

  /** Chunks refused for a bad checksum or offset (for tests and metrics). */
  public long refusedChunks() {
    return refusedChunks;
  }

  /** The offset the current download wants next, or -1 if none. */
  public long nextOffset() {
    return download == null ? -1 : download.nextOffset();
  }

  private SnapshotDownload downloadFor(InstallSnapshot c) throws IOException {
    if (download != null && download.index() == c.lastIncludedIndex()
        && download.term() == c.lastIncludedTerm()) {
      return download;
    }
    // A new snapshot (or the first chunk after a restart): resume from what is on disk.
    store.deletePartialsExcept(c.lastIncludedIndex(), c.lastIncludedTerm());
    download = new SnapshotDownload(
        store.partialDirectory(c.lastIncludedIndex(), c.lastIncludedTerm()),
        c.lastIncludedIndex(), c.lastIncludedTerm());
    loggedDecile = -1;
    if (download.nextOffset() > 0) {
      log.info("graft snapshot i{} from {}: resuming at byte {}", c.lastIncludedIndex(),
          c.from(), download.nextOffset());
    }
    return download;
  }

  private void reply(InstallSnapshot c, long nextOffset, boolean success) {
    transport.send(c.from(), new InstallSnapshotResponse(self, c.term(), c.lastIncludedIndex(),
        nextOffset, success, false));
  }

  private void logProgress(SnapshotDownload d, MemberId from) {
    long total = d.totalBytes();
    if (total <= 0) {
      return;
    }
    int decile = (int) (d.nextOffset() * 10 / total);
    if (decile != loggedDecile) {
      loggedDecile = decile;
      log.info("graft snapshot i{} from {}: {}/{} bytes received", d.index(), from,
          d.nextOffset(), total);
    }
  }
}
