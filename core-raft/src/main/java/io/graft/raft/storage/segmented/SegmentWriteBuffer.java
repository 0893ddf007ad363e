package io.graft.raft.storage.segmented;

import io.graft.raft.message.LogEntry;
import java.nio.ByteBuffer;

/**
 * The bytes appended to the active segment but not yet written to it: records are encoded into
 * one direct buffer and written in buffer-sized pieces at consecutive file offsets, so a batch of
 * small records costs few writes and a record bigger than the buffer is streamed through it.
 */
final class SegmentWriteBuffer {
  private final RecordCodec codec = new RecordCodec();
  private final ByteBuffer buffer;
  /** File offset, in the active segment, of the first byte held in {@link #buffer}. */
  private long bufferedFrom;

  SegmentWriteBuffer(int capacity, long activeEndOffset) {
    this.buffer = ByteBuffer.allocateDirect(capacity);
    this.bufferedFrom = activeEndOffset;
  }

  /** Drops what is buffered; the next bytes go to {@code fileOffset} of the active segment. */
  void reset(long fileOffset) {
    buffer.clear();
    bufferedFrom = fileOffset;
  }

  /** A new segment's header, buffered as its first bytes (offset 0). */
  void startSegment(SegmentHeader header) {
    reset(0);
    header.encode(buffer);
  }

  /** Buffers one record for {@code active}, writing out what the buffer cannot hold. */
  void append(Segment active, LogEntry entry, int recordBytes) {
    if (recordBytes > buffer.remaining()) {
      flush(active);
    }
    if (recordBytes > buffer.capacity()) {
      appendLarge(active, entry);
    } else {
      codec.encode(entry, buffer);
    }
    active.endOffset += recordBytes;
  }

  /**
   * Streams a record bigger than the buffer through it: header first, then the payload in
   * buffer-sized pieces written at consecutive offsets. No whole-record copy is made, neither on
   * the heap nor as the JDK's per-thread temporary direct buffer (which it caches, so one 40 MB
   * write would pin 40 MB of native memory in the Raft thread for good).
   */
  private void appendLarge(Segment active, LogEntry entry) {
    codec.encodeHeader(entry, buffer);
    byte[] payload = entry.payload();
    int done = 0;
    while (done < payload.length) {
      if (!buffer.hasRemaining()) {
        flush(active);
      }
      int n = Math.min(buffer.remaining(), payload.length - done);
      buffer.put(payload, done, n);
      done += n;
    }
  }

  /** Writes what is buffered to {@code active} at its offset (no fsync). */
  void flush(Segment active) {
    if (buffer.position() == 0) {
      return;
    }
    buffer.flip();
    int bytes = buffer.remaining();
    active.writeFully(buffer, bufferedFrom);
    bufferedFrom += bytes;
    buffer.clear();
  }
}
