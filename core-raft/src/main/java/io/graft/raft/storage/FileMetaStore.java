package io.graft.raft.storage;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.protocol.HardState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.slf4j.Logger;

/**
 * A durable {@link MetaStore}: term, vote and commit hint in one file {@code raft-meta} with two
 * alternating 4 KiB slots. Each save writes the slot the previous save did not use, with a higher
 * sequence number and a CRC32C, then fsyncs; the file never changes size, so no directory fsync or
 * rename is needed per save. A crash mid-save can tear only the slot being written, and that save
 * never returned, so the other slot is exactly the last durable state (Raft Figure 2: currentTerm
 * and votedFor must be on stable storage before responding to RPCs; §5.2 one vote per term).
 *
 * <p>Slot layout: {@code magic u32 "GRMS" | version u16 | reserved u16 | sequence u64 | term u64 |
 * commitIndex u64 | votedFor length u16 (0 = none) | votedFor UTF-8 | crc32c u32}. An all-zero slot
 * is unused. If both slots are corrupt, startup is refused with a message saying what to do.
 *
 * <p>{@link #save} rejects a decreasing term and a changed vote within one term: either would be a
 * protocol bug that could elect two leaders in one term (§5.2), so it is stopped at the last line.
 * Threading: single owner thread.
 */
public final class FileMetaStore implements MetaStore {
  /** The term/vote file's name in its directory. */
  public static final String FILE_NAME = "raft-meta";
  static final int SLOT_BYTES = 4096;
  private static final int MAGIC = 0x47524d53;
  private static final int VERSION = 1;

  private final Logger log;
  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;
  private final ByteBuffer slot = ByteBuffer.allocate(SLOT_BYTES);
  private HardState current;
  private long sequence;
  private boolean closed;

  private FileMetaStore(Path file, FileChannel channel, FileLock lock, Logger log) {
    this.log = log;
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Opens (creating if needed) {@code dir/raft-meta} and loads the newest valid slot; a torn save
   * is reported to {@code logging}.
   */
  public static FileMetaStore open(Path dir, RaftLogging logging) {
    Path file = dir.resolve(FILE_NAME);
    FileChannel channel = null;
    try {
      FileSync.createDirectories(dir);
      boolean created = !Files.exists(file);
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw new StorageException(file + " is in use by another process");
      }
      FileMetaStore store = new FileMetaStore(file, channel, lock,
          logging.logger(FileMetaStore.class));
      if (created || channel.size() == 0) {
        channel.write(ByteBuffer.allocate(2 * SLOT_BYTES), 0);
        channel.force(true);
        FileSync.forceDirectory(dir);
      }
      store.loadSlots();
      return store;
    } catch (IOException | OverlappingFileLockException e) {
      closeQuietly(channel);
      throw new StorageException("cannot open " + file + ": " + e, e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  @Override
  public HardState load() {
    ensureOpen();
    return current;
  }

  @Override
  public void save(HardState state) {
    ensureOpen();
    if (state.term() < current.term()) {
      throw new IllegalArgumentException("term must not decrease: " + current + " -> " + state);
    }
    if (state.term() == current.term() && current.votedFor() != null
        && !current.votedFor().equals(state.votedFor())) {
      throw new IllegalArgumentException(
          "vote must not change within a term (§5.2): " + current + " -> " + state);
    }
    long next = sequence + 1;
    encode(next, state);
    try {
      slot.flip();
      long at = (next % 2) * SLOT_BYTES;
      while (slot.hasRemaining()) {
        at += channel.write(slot, at);
      }
      channel.force(false);
    } catch (IOException e) {
      throw new StorageException("cannot save hard state to " + file, e);
    }
    sequence = next;
    current = state;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      lock.release();
    } catch (IOException e) {
      throw new StorageException("cannot release lock on " + file, e);
    } finally {
      closeQuietly(channel);
    }
  }

  private void encode(long seq, HardState state) {
    slot.clear();
    slot.putInt(MAGIC).putShort((short) VERSION).putShort((short) 0);
    slot.putLong(seq).putLong(state.term()).putLong(state.commitIndex());
    byte[] voted = state.votedFor() == null
        ? new byte[0] : state.votedFor().value().getBytes(StandardCharsets.UTF_8);
    slot.putShort((short) voted.length).put(voted);
    slot.putInt(crc(slot.array(), slot.position()));
  }

  private void loadSlots() throws IOException {
    Decoded[] slots = new Decoded[2];
    for (int i = 0; i < 2; i++) {
      ByteBuffer buf = ByteBuffer.allocate(SLOT_BYTES);
      while (buf.hasRemaining() && channel.read(buf, (long) i * SLOT_BYTES + buf.position()) > 0) {
        // keep reading until the slot is full or the file ends
      }
      slots[i] = decode(buf.array());
    }
    Decoded best = null;
    for (Decoded d : slots) {
      if (d.state != null && (best == null || d.sequence > best.sequence)) {
        best = d;
      }
    }
    boolean anyCorrupt = slots[0].corrupt != null || slots[1].corrupt != null;
    if (best == null && slots[0].corrupt != null && slots[1].corrupt != null) {
      throw new StorageException(file + " is corrupt in both slots (" + slots[0].corrupt + "; "
          + slots[1].corrupt + "). Refusing to start: the term and vote of this member are lost,"
          + " and guessing them could let it vote twice in one term. Rebuild this member (remove"
          + " it from the cluster and add it back empty).");
    }
    if (anyCorrupt) {
      log.warn("{}: one slot is corrupt ({}), assuming a torn save and using the other slot",
          file, slots[0].corrupt != null ? slots[0].corrupt : slots[1].corrupt);
    }
    current = best == null ? HardState.EMPTY : best.state;
    sequence = best == null ? 0 : best.sequence;
  }

  private record Decoded(long sequence, HardState state, String corrupt) {}

  private static Decoded decode(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    if (isAllZero(bytes)) {
      return new Decoded(0, null, null);
    }
    if (in.getInt(0) != MAGIC) {
      return new Decoded(0, null, "bad magic");
    }
    int votedLength = Short.toUnsignedInt(in.getShort(32));
    int end = 34 + votedLength;
    if (votedLength > 1024 || in.getInt(end) != crc(bytes, end)) {
      return new Decoded(0, null, "checksum mismatch");
    }
    if (Short.toUnsignedInt(in.getShort(4)) != VERSION) {
      return new Decoded(0, null, "unsupported version " + in.getShort(4));
    }
    long seq = in.getLong(8);
    try {
      MemberId voted = votedLength == 0
          ? null : MemberId.of(new String(bytes, 34, votedLength, StandardCharsets.UTF_8));
      return new Decoded(seq, new HardState(in.getLong(16), voted, in.getLong(24)), null);
    } catch (IllegalArgumentException e) {
      return new Decoded(0, null, "impossible values: " + e.getMessage());
    }
  }

  private static boolean isAllZero(byte[] bytes) {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static int crc(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException(file + " is closed");
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Already failing; the original exception is the one worth reporting.
      }
    }
  }
}
