package io.graft.raft.storage;

import io.graft.raft.api.RaftLogging;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * The incarnation of a member's Raft state: a random 128-bit id created together with the
 * term/vote file ({@link FileMetaStore}, {@code raft-meta}) and never changed while that file
 * lives. Peers remember it; a member whose term/vote was lost (wiped or replaced disk) comes back
 * with a new one, and peers refuse it, because it may vote twice in one term (Raft §5.2, Figure
 * 2: votedFor must be on stable storage).
 *
 * <p>Stored in {@code raft-incarnation} next to {@code raft-meta}, written to a temporary file,
 * fsynced and renamed (then the directory fsynced) before it is returned, so before the transport
 * can present it. Call {@link #loadOrCreate} <em>before</em> {@link FileMetaStore#open} on the
 * same directory: an incarnation is kept only if {@code raft-meta} already exists, so a lost or
 * deleted term/vote file always yields a new incarnation, whatever happened to this file.
 */
public final class MemberIncarnation {
  static final String FILE_NAME = "raft-incarnation";
  private static final SecureRandom RANDOM = new SecureRandom();

  private MemberIncarnation() {}

  /**
   * The incarnation of the Raft state in {@code metaDir}, created (and reported to {@code
   * logging}) if that state is new.
   */
  public static UUID loadOrCreate(Path metaDir, RaftLogging logging) {
    Path file = metaDir.resolve(FILE_NAME);
    boolean metaExists = Files.exists(metaDir.resolve(FileMetaStore.FILE_NAME));
    if (metaExists && Files.exists(file)) {
      return read(file);
    }
    UUID created = new UUID(RANDOM.nextLong(), RANDOM.nextLong());
    if (created.getMostSignificantBits() == 0 && created.getLeastSignificantBits() == 0) {
      created = new UUID(1, 1); // 0 means "none" on the wire; 2^-128 odds, but be exact
    }
    write(metaDir, file, created);
    logging.logger(MemberIncarnation.class).info("New Raft incarnation {} in {} ({})", created,
        metaDir,
        metaExists ? "the existing term/vote file predates incarnations"
            : "no term/vote state yet: this member starts with a fresh Raft identity");
    return created;
  }

  private static UUID read(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
      UUID id = UUID.fromString(text);
      if (!text.equals(id.toString())) {
        throw new IllegalArgumentException("not a canonical UUID: " + text);
      }
      return id;
    } catch (IOException | IllegalArgumentException e) {
      throw new StorageException(file + " is unreadable (" + e.getMessage() + "). It holds this"
          + " member's Raft identity; do not edit it. If it is lost, peers refuse this member:"
          + " remove it from the cluster and add it back with a fresh data directory.", e);
    }
  }

  private static void write(Path dir, Path file, UUID id) {
    FileSync.createDirectories(dir);
    Path tmp = dir.resolve(FILE_NAME + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.US_ASCII));
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new StorageException("cannot write " + file + ": " + e, e);
    }
    FileSync.forceDirectory(dir);
  }
}
