package io.graft.raft.runtime.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * What a snapshot is (thesis §5.1): the last included index and term, the encoded configuration as
 * of that index, and every application file with its size and CRC32C. It is the first thing in a
 * snapshot stream and the last thing written when a snapshot becomes complete, so a directory
 * without a valid manifest is never mistaken for a snapshot.
 *
 * <pre>
 * magic u32 "GRSM" | version u16 | index u64 | term u64 | configLength u32 | config bytes
 * | fileCount u32 | per file: pathLength u16 | path utf-8 ('/'-separated, relative) | size u64
 * | crc32c u32 | manifest crc32c u32 (over everything before it)
 * </pre>
 */
public record SnapshotManifest(long index, long term, byte[] configuration, List<FileEntry> files) {
  private static final int MAGIC = 0x4752534d;
  private static final int VERSION = 1;

  /** One application file: path relative to the snapshot's files directory. */
  public record FileEntry(String path, long size, int crc32c) {}

  public SnapshotManifest {
    configuration = configuration.clone();
    files = List.copyOf(files);
  }

  /** Total bytes of all files. */
  public long fileBytes() {
    long total = 0;
    for (FileEntry f : files) {
      total += f.size();
    }
    return total;
  }

  public byte[] encode() {
    List<byte[]> paths = new ArrayList<>();
    int size = 4 + 2 + 8 + 8 + 4 + configuration.length + 4 + 4;
    for (FileEntry f : files) {
      byte[] p = f.path().getBytes(StandardCharsets.UTF_8);
      paths.add(p);
      size += 2 + p.length + 8 + 4;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.putInt(MAGIC).putShort((short) VERSION).putLong(index).putLong(term);
    out.putInt(configuration.length).put(configuration).putInt(files.size());
    for (int i = 0; i < files.size(); i++) {
      out.putShort((short) paths.get(i).length).put(paths.get(i));
      out.putLong(files.get(i).size()).putInt(files.get(i).crc32c());
    }
    out.putInt(crc(out.array(), size - 4));
    return out.array();
  }

  /** Decodes and verifies; a wrong magic, version or checksum is an IOException. */
  public static SnapshotManifest decode(byte[] bytes) throws IOException {
    if (bytes.length < 4 + 2 + 8 + 8 + 4 + 4 + 4) {
      throw new IOException("snapshot manifest too short: " + bytes.length + " bytes");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    if (in.getInt(bytes.length - 4) != crc(bytes, bytes.length - 4) || in.getInt() != MAGIC) {
      throw new IOException("snapshot manifest corrupt (magic or checksum)");
    }
    int version = Short.toUnsignedInt(in.getShort());
    if (version != VERSION) {
      throw new IOException("unsupported snapshot manifest version " + version);
    }
    try {
      long index = in.getLong();
      long term = in.getLong();
      byte[] config = new byte[in.getInt()];
      in.get(config);
      int count = in.getInt();
      List<FileEntry> files = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        byte[] path = new byte[Short.toUnsignedInt(in.getShort())];
        in.get(path);
        files.add(new FileEntry(new String(path, StandardCharsets.UTF_8), in.getLong(), in.getInt()));
      }
      return new SnapshotManifest(index, term, config, files);
    } catch (RuntimeException e) {
      throw new IOException("snapshot manifest malformed: " + e, e);
    }
  }

  private static int crc(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }

  /** Value equality, the configuration bytes included (a record compares arrays by identity). */
  @Override
  public boolean equals(Object o) {
    return o instanceof SnapshotManifest m && m.index == index && m.term == term
        && java.util.Arrays.equals(m.configuration, configuration) && m.files.equals(files);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(index, term, java.util.Arrays.hashCode(configuration), files);
  }

  /** The configuration bytes (a copy). */
  @Override
  public byte[] configuration() {
    return configuration.clone();
  }

  @Override
  public String toString() {
    return "snapshot i" + index + " t" + term + " (" + files.size() + " files, " + fileBytes()
        + " bytes)";
  }
}
