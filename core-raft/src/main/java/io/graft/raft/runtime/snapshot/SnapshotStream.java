package io.graft.raft.runtime.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The byte stream of a snapshot as it travels: {@code [manifestLength u32][manifest][file 1]...
 * [file n]} (files in manifest order, each exactly its size). One offset space for everything, so
 * a transfer resumes from one number: the receiver's next offset.
 */
final class SnapshotStream {
  private final LocalSnapshot snapshot;
  private final byte[] head;
  private final long total;

  SnapshotStream(LocalSnapshot snapshot) {
    this.snapshot = snapshot;
    byte[] manifest = snapshot.manifest().encode();
    this.head = ByteBuffer.allocate(4 + manifest.length).putInt(manifest.length).put(manifest)
        .array();
    this.total = head.length + snapshot.manifest().fileBytes();
  }

  LocalSnapshot snapshot() {
    return snapshot;
  }

  long totalBytes() {
    return total;
  }

  /** Up to {@code maxBytes} of the stream from {@code offset} (fewer only at the end). */
  byte[] read(long offset, int maxBytes) throws IOException {
    if (offset < 0 || offset > total) {
      throw new IOException("offset " + offset + " outside snapshot stream of " + total);
    }
    int length = (int) Math.min(maxBytes, total - offset);
    ByteBuffer out = ByteBuffer.allocate(length);
    long position = offset;
    if (position < head.length) {
      int n = (int) Math.min(length, head.length - position);
      out.put(head, (int) position, n);
      position += n;
    }
    long fileStart = head.length;
    for (SnapshotManifest.FileEntry f : snapshot.manifest().files()) {
      if (!out.hasRemaining()) {
        break;
      }
      long fileEnd = fileStart + f.size();
      if (position < fileEnd) {
        readFile(snapshot.filesDirectory().resolve(f.path()), position - fileStart, out,
            (int) Math.min(out.remaining(), fileEnd - position));
        position = offset + out.position();
      }
      fileStart = fileEnd;
    }
    if (out.hasRemaining()) {
      throw new IOException("snapshot " + snapshot.directory() + " is shorter than its manifest");
    }
    return out.array();
  }

  private static void readFile(Path file, long from, ByteBuffer out, int length)
      throws IOException {
    int limit = out.position() + length;
    ByteBuffer view = out.duplicate().limit(limit);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long pos = from;
      while (view.hasRemaining()) {
        int n = ch.read(view, pos);
        if (n < 0) {
          throw new IOException(file + " is shorter than its manifest says");
        }
        pos += n;
      }
    }
    out.position(limit);
  }
}
