package io.graft.raft.process;

import io.graft.raft.api.CommittedEntry;
import io.graft.raft.api.StateMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A state machine whose whole state is (applied index, running CRC32C of applied payloads), kept in
 * one 24-byte record [index][crc][checksum] rewritten in place after every apply. The pair is
 * always consistent, so a restart resumes exactly after the recorded index. The record is written
 * without fsync per apply (it survives a process kill, which is what the Tier 3 test does) and
 * forced every {@link #FORCE_EVERY} applies and on close.
 */
final class DurableDigestStateMachine implements StateMachine, AutoCloseable {
  static final int FORCE_EVERY = 1000;
  private final FileChannel channel;
  private final ByteBuffer record = ByteBuffer.allocate(24);
  private long appliedIndex;
  private long crc;
  private long sinceForce;

  DurableDigestStateMachine(Path file) throws IOException {
    boolean exists = Files.exists(file) && Files.size(file) == 24;
    channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    if (exists) {
      ByteBuffer b = ByteBuffer.allocate(24);
      channel.read(b, 0);
      b.flip();
      long index = b.getLong();
      long value = b.getLong();
      long check = b.getLong();
      if (check != checksum(index, value)) {
        throw new IllegalStateException("corrupt state machine record in " + file);
      }
      appliedIndex = index;
      crc = value;
    }
  }

  private static long checksum(long index, long value) {
    CRC32C c = new CRC32C();
    ByteBuffer b = ByteBuffer.allocate(16).putLong(index).putLong(value).flip();
    c.update(b);
    return c.getValue() ^ 0x5A5A5A5AL;
  }

  @Override
  public synchronized Object apply(CommittedEntry entry) {
    CRC32C c = new CRC32C();
    c.update(ByteBuffer.allocate(16).putLong(crc).putLong(entry.index()).flip());
    c.update(entry.payload());
    crc = c.getValue();
    record(entry.index());
    return null;
  }

  @Override
  public synchronized void onInternalEntry(long index, long term) {
    record(index);
  }

  private void record(long index) {
    if (index != appliedIndex + 1) {
      throw new IllegalStateException("applied " + appliedIndex + " then got " + index);
    }
    appliedIndex = index;
    record.clear();
    record.putLong(index).putLong(crc).putLong(checksum(index, crc)).flip();
    try {
      channel.write(record, 0);
      if (++sinceForce >= FORCE_EVERY) {
        channel.force(false);
        sinceForce = 0;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public synchronized long lastAppliedIndex() {
    return appliedIndex;
  }

  synchronized long crc() {
    return crc;
  }

  @Override
  public synchronized void close() throws IOException {
    channel.force(false);
    channel.close();
  }
}
