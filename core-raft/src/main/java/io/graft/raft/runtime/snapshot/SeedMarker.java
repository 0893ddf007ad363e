package io.graft.raft.runtime.snapshot;

import io.graft.raft.storage.FileSync;
import io.graft.raft.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * {@code <snapshots>/seed}: a member that founded its cluster on state it already had (a seeded
 * store) owes a snapshot of that state at the seed index: its log starts after it, so every
 * other member must receive the snapshot, never replay a log that does not contain the state.
 * The marker holds the index, term and encoded configuration of that snapshot; it is written
 * (atomically, fsynced) before the log is compacted to the seed index and deleted once the
 * snapshot is complete, so a crash in between takes the snapshot at the next start.
 *
 * <pre>magic u32 "GRSD" | index u64 | term u64 | configLength u32 | config | crc32c u32</pre>
 */
public final class SeedMarker {
  public static final String FILE_NAME = "seed";
  private static final int MAGIC = 0x47525344;

  /** The snapshot a seeded member owes. */
  public record Pending(long index, long term, byte[] configuration) {}

  private SeedMarker() {}

  public static void write(Path snapshots, Pending pending) {
    FileSync.createDirectories(snapshots);
    byte[] config = pending.configuration();
    ByteBuffer out = ByteBuffer.allocate(4 + 8 + 8 + 4 + config.length + 4);
    out.putInt(MAGIC).putLong(pending.index()).putLong(pending.term()).putInt(config.length)
        .put(config);
    out.putInt(crc(out.array(), out.position()));
    out.flip();
    Path tmp = snapshots.resolve(FILE_NAME + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      while (out.hasRemaining()) {
        ch.write(out);
      }
      ch.force(true);
      Files.move(tmp, snapshots.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new StorageException("cannot write " + snapshots.resolve(FILE_NAME), e);
    }
    FileSync.forceDirectory(snapshots);
  }

  public static Optional<Pending> read(Path snapshots) {
    Path file = snapshots.resolve(FILE_NAME);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new StorageException("cannot read " + file, e);
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    if (bytes.length < 28 || in.getInt() != MAGIC
        || crc(bytes, bytes.length - 4) != in.getInt(bytes.length - 4)) {
      throw new StorageException(file + " is corrupt; it is replaced atomically, so this is not"
          + " a torn write. It records the snapshot this seeded member still owes its cluster:"
          + " rebuild the member from a backup");
    }
    long index = in.getLong();
    long term = in.getLong();
    int length = in.getInt();
    if (length != bytes.length - 28) {
      throw new StorageException(file + " is corrupt (configuration length " + length + ")");
    }
    byte[] config = new byte[length];
    in.get(config);
    return Optional.of(new Pending(index, term, config));
  }

  public static void delete(Path snapshots) {
    try {
      Files.deleteIfExists(snapshots.resolve(FILE_NAME));
    } catch (IOException e) {
      throw new StorageException("cannot delete " + snapshots.resolve(FILE_NAME), e);
    }
    FileSync.forceDirectory(snapshots);
  }

  private static int crc(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }
}
