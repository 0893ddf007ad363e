package io.graft.raft.storage;

import io.graft.raft.api.Membership;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The cluster incarnation (epoch) this member's Raft state is bound to, presented in every
 * handshake: members bound to different epochs refuse each other, so the members of a cluster as
 * it was before {@code forceNewCluster} re-formed it around a survivor are never merged back.
 *
 * <p>A member's state is bound once: a founder when it first leads, any other member when it
 * first accepts entries from a leader (to that leader's epoch), a seeded member at the seed, and
 * a survivor anew when it forces a new cluster. Until then it is unbound ({@link
 * Membership#NO_EPOCH}) and refuses nobody for its epoch: a new member, or a wiped one restarted
 * with its old settings, replays the leader's history without ever looking like an old member.
 *
 * <p>Stored in {@code cluster-epoch} beside the term/vote file (write temporary, fsync, rename,
 * fsync the directory) and, like the incarnation, kept only while that file lives: state whose
 * term/vote was lost is new state, unbound. Not thread-safe; the runtime's owner thread writes it.
 */
public final class ClusterEpoch {
  static final String FILE_NAME = "cluster-epoch";

  private final Path dir;
  private long epoch;

  private ClusterEpoch(Path dir, long epoch) {
    this.dir = dir;
    this.epoch = epoch;
  }

  /** Kept in memory only (tests). */
  public static ClusterEpoch inMemory() {
    return new ClusterEpoch(null, Membership.NO_EPOCH);
  }

  /**
   * The binding of the Raft state in {@code metaDir}. Call before {@link FileMetaStore#open} on
   * the same directory: without an existing term/vote file the state is new and unbound.
   */
  public static ClusterEpoch open(Path metaDir) {
    Path file = metaDir.resolve(FILE_NAME);
    if (!Files.exists(metaDir.resolve(FileMetaStore.FILE_NAME)) || !Files.exists(file)) {
      return new ClusterEpoch(metaDir, Membership.NO_EPOCH);
    }
    try {
      String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
      return new ClusterEpoch(metaDir, Long.parseUnsignedLong(text, 16));
    } catch (IOException | NumberFormatException e) {
      throw new StorageException(file + " is unreadable (" + e.getMessage() + "). It names the"
          + " cluster incarnation this member belongs to; do not edit it.", e);
    }
  }

  /** The bound epoch, or {@link Membership#NO_EPOCH}. */
  public long get() {
    return epoch;
  }

  public boolean isBound() {
    return epoch != Membership.NO_EPOCH;
  }

  /** Binds (or re-binds, after forceNewCluster) durably before returning. */
  public void bind(long newEpoch) {
    if (newEpoch == Membership.NO_EPOCH) {
      throw new IllegalArgumentException("cannot bind to epoch 0");
    }
    if (newEpoch == epoch) {
      return;
    }
    if (dir != null) {
      FileSync.createDirectories(dir);
      Path tmp = dir.resolve(FILE_NAME + ".tmp");
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(
            (Long.toHexString(newEpoch) + "\n").getBytes(StandardCharsets.US_ASCII));
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
        Files.move(tmp, dir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new StorageException("cannot write " + dir.resolve(FILE_NAME) + ": " + e, e);
      }
      FileSync.forceDirectory(dir);
    }
    epoch = newEpoch;
  }
}
