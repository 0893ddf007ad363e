package io.graft.raft.runtime.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A snapshot being received into {@code partial-<index>-<term>/}: the stream head (length +
 * manifest) in {@code head}, then the files under {@code files/} written in place. The next offset
 * is recomputed from what is on disk, so a broken connection, or a restart of this member, resumes
 * the download instead of restarting it. Every byte is verified at the end against the manifest's
 * per-file CRC32C before the download becomes a snapshot.
 */
final class SnapshotDownload {
  private static final String HEAD = "head";
  private final Path dir;
  private final long index;
  private final long term;
  private SnapshotManifest manifest;
  private int headBytes = -1;
  private long nextOffset;

  SnapshotDownload(Path dir, long index, long term) throws IOException {
    this.dir = dir;
    this.index = index;
    this.term = term;
    recover();
  }

  long index() {
    return index;
  }

  long term() {
    return term;
  }

  long nextOffset() {
    return nextOffset;
  }

  /** Total stream bytes, or -1 while the manifest has not fully arrived. */
  long totalBytes() {
    return manifest == null ? -1 : headBytes + manifest.fileBytes();
  }

  boolean complete() {
    return manifest != null && nextOffset == totalBytes();
  }

  private void recover() throws IOException {
    Path head = dir.resolve(HEAD);
    long have = Files.exists(head) ? Files.size(head) : 0;
    nextOffset = have;
    if (have < 4) {
      return;
    }
    byte[] bytes = Files.readAllBytes(head);
    int manifestLength = ByteBuffer.wrap(bytes).getInt();
    if (have < 4L + manifestLength) {
      return;
    }
    try {
      byte[] m = new byte[manifestLength];
      System.arraycopy(bytes, 4, m, 0, manifestLength);
      manifest = SnapshotManifest.decode(m);
    } catch (IOException e) {
      restart(); // a torn or corrupt head: start over
      return;
    }
    headBytes = 4 + manifestLength;
    long offset = headBytes;
    for (SnapshotManifest.FileEntry f : manifest.files()) {
      Path file = dir.resolve(LocalSnapshot.FILES).resolve(f.path());
      long size = Files.exists(file) ? Math.min(Files.size(file), f.size()) : 0;
      offset += size;
      if (size < f.size()) {
        break;
      }
    }
    nextOffset = offset;
  }

  /** Appends {@code data} at {@code offset}, which must be {@link #nextOffset()}. */
  void write(long offset, byte[] data) throws IOException {
    if (offset != nextOffset) {
      throw new IllegalArgumentException("write at " + offset + ", expected " + nextOffset);
    }
    int used = 0;
    if (manifest == null) {
      used = writeHead(data);
    }
    long position = nextOffset;
    long fileStart = headBytes;
    for (SnapshotManifest.FileEntry f : manifest == null ? java.util.List.<SnapshotManifest.FileEntry>of()
        : manifest.files()) {
      if (used >= data.length) {
        break;
      }
      long fileEnd = fileStart + f.size();
      if (position < fileEnd) {
        int n = (int) Math.min(data.length - used, fileEnd - position);
        writeFile(dir.resolve(LocalSnapshot.FILES).resolve(f.path()), position - fileStart, data,
            used, n);
        used += n;
        position += n;
      }
      fileStart = fileEnd;
    }
    if (used != data.length) {
      throw new IOException("chunk at " + offset + " runs past the end of the snapshot stream");
    }
    nextOffset = position;
  }

  /** Writes the part of {@code data} that belongs to the head; returns the bytes consumed. */
  private int writeHead(byte[] data) throws IOException {
    Path head = dir.resolve(HEAD);
    long have = nextOffset;
    int need;
    if (have + data.length < 4) {
      need = data.length;
    } else {
      byte[] prefix = new byte[4];
      byte[] existing = have > 0 ? Files.readAllBytes(head) : new byte[0];
      for (int i = 0; i < 4; i++) {
        prefix[i] = i < have ? existing[i] : data[(int) (i - have)];
      }
      int manifestLength = ByteBuffer.wrap(prefix).getInt();
      need = (int) Math.min(data.length, 4L + manifestLength - have);
    }
    writeFile(head, have, data, 0, need);
    nextOffset += need;
    recover(); // parses the manifest once it is complete
    return need;
  }

  private static void writeFile(Path file, long position, byte[] data, int from, int length)
      throws IOException {
    Files.createDirectories(file.getParent());
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(data, from, length);
      long pos = position;
      while (buf.hasRemaining()) {
        pos += ch.write(buf, pos);
      }
    }
  }

  /**
   * Verifies every file against the manifest (size and CRC32C) and turns the download into a
   * complete snapshot; on a mismatch deletes the download and throws (the sender starts over).
   */
  LocalSnapshot finish(SnapshotStore store) throws IOException {
    if (!complete()) {
      throw new IllegalStateException("download incomplete: " + nextOffset + " of " + totalBytes());
    }
    Path files = dir.resolve(LocalSnapshot.FILES);
    Files.createDirectories(files);
    for (SnapshotManifest.FileEntry f : manifest.files()) {
      Path file = files.resolve(f.path());
      if (!Files.exists(file) && f.size() == 0) {
        Files.createDirectories(file.getParent());
        Files.createFile(file);
      }
      if (Files.size(file) != f.size() || SnapshotFiles.crc32c(file) != f.crc32c()) {
        restart();
        throw new IOException("snapshot file " + f.path() + " of i" + index + " t" + term
            + " does not match its manifest checksum; download discarded");
      }
    }
    if (manifest.index() != index || manifest.term() != term) {
      restart();
      throw new IOException("manifest says i" + manifest.index() + " t" + manifest.term()
          + " but the chunks are for i" + index + " t" + term);
    }
    Files.write(dir.resolve(LocalSnapshot.MANIFEST), manifest.encode());
    Files.delete(dir.resolve(HEAD));
    return store.publish(dir, manifest);
  }

  /** Throws away what was received. */
  void restart() throws IOException {
    SnapshotFiles.deleteTree(dir);
    Files.createDirectories(dir);
    manifest = null;
    headBytes = -1;
    nextOffset = 0;
  }
}
