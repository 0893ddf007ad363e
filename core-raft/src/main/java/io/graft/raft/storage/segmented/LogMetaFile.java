package io.graft.raft.storage.segmented;

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
import java.util.zip.CRC32C;

/**
 * The {@code log-meta} file: the snapshot index and term below which the log was compacted.
 * Replaced atomically (write temp, fsync, rename, fsync directory) so a crash leaves either the old
 * or the new value, never a mix. Written before compaction deletes any segment, so the log never
 * loses the description of its own start (LogReader: the entry before firstIndex is described by
 * snapshotIndex/snapshotTerm, needed for the AppendEntries consistency check, Raft §5.3/§7).
 *
 * <pre>
 * magic u32 "GRLM" | version u16 | reserved u16 | snapshotIndex u64 | snapshotTerm u64 | crc32c u32
 * </pre>
 */
final class LogMetaFile {
  static final String NAME = "log-meta";
  private static final String TEMP = "log-meta.tmp";
  private static final int MAGIC = 0x47524c4d;
  private static final int VERSION = 1;
  private static final int BYTES = 28;

  record Snapshot(long index, long term) {}

  private LogMetaFile() {}

  static Snapshot read(Path dir) {
    Path file = dir.resolve(NAME);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return new Snapshot(0, 0);
    } catch (IOException e) {
      throw new StorageException("cannot read " + file, e);
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    if (bytes.length != BYTES || in.getInt(0) != MAGIC || in.getInt(24) != crc(in)) {
      throw new StorageException(file + " is corrupt (" + bytes.length + " bytes, bad magic or"
          + " checksum). It is replaced atomically, so this is not a torn write; refusing to start."
          + " Restore this member's raft log directory from a healthy copy or rebuild the member.");
    }
    int version = Short.toUnsignedInt(in.getShort(4));
    if (version != VERSION) {
      throw new StorageException(file + " has unsupported version " + version);
    }
    long index = in.getLong(8);
    long term = in.getLong(16);
    if (index < 0 || term < 0) {
      throw new StorageException(file + " holds impossible snapshot i" + index + " t" + term);
    }
    return new Snapshot(index, term);
  }

  static void write(Path dir, Snapshot snapshot) {
    ByteBuffer out = ByteBuffer.allocate(BYTES);
    out.putInt(MAGIC).putShort((short) VERSION).putShort((short) 0);
    out.putLong(snapshot.index()).putLong(snapshot.term());
    out.putInt(24, crc(out));
    out.position(0).limit(BYTES);
    Path temp = dir.resolve(TEMP);
    try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      while (out.hasRemaining()) {
        ch.write(out);
      }
      ch.force(true);
    } catch (IOException e) {
      throw new StorageException("cannot write " + temp, e);
    }
    try {
      Files.move(temp, dir.resolve(NAME), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new StorageException("cannot rename " + temp + " to " + NAME, e);
    }
    FileSync.forceDirectory(dir);
  }

  private static int crc(ByteBuffer buf) {
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), 0, 24);
    return (int) crc.getValue();
  }
}
