package io.graft.bridge.snapshot;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

/**
 * What a store-copy snapshot covers, written beside the copied files and LAST (through a rename),
 * so a directory without it is an incomplete snapshot. Carries the state that is not in Neo4j's
 * files: the Raft index, the lease (graft's own replicated state) and the database identity; and
 * (format 2) exactly the files shipped, each with its size and CRC32C, so an install can check
 * every byte before it touches the local store.
 */
public record SnapshotManifest(
    int formatVersion,
    String databaseName,
    UUID databaseId,
    long index,
    int leaseId,
    String leaseOwner,
    long lastTxId,
    long files,
    long bytes,
    List<ShippedFile> shipped) {
  public static final String FILE_NAME = "graft-snapshot.properties";
  /** 2: the shipped files are listed; transaction logs are cut at their written end. */
  public static final int FORMAT_VERSION = 2;

  /**
   * One shipped file: its path below the snapshot directory ('/' separated, e.g.
   * {@code transactions/neostore.transaction.db.3}), its size and the CRC32C of its bytes.
   */
  public record ShippedFile(String path, long size, long crc32c) {}

  public SnapshotManifest {
    shipped = List.copyOf(shipped);
  }

  /** A format-2 manifest whose totals are those of {@code shipped}. */
  public static SnapshotManifest of(String databaseName, UUID databaseId, long index, int leaseId,
      String leaseOwner, long lastTxId, List<ShippedFile> shipped) {
    return new SnapshotManifest(FORMAT_VERSION, databaseName, databaseId, index, leaseId,
        leaseOwner, lastTxId, shipped.size(),
        shipped.stream().mapToLong(ShippedFile::size).sum(), shipped);
  }

  public void writeTo(Path directory) throws IOException {
    Properties p = new Properties();
    p.setProperty("formatVersion", Integer.toString(formatVersion));
    p.setProperty("databaseName", databaseName);
    p.setProperty("databaseId", databaseId.toString());
    p.setProperty("index", Long.toString(index));
    p.setProperty("leaseId", Integer.toString(leaseId));
    p.setProperty("leaseOwner", leaseOwner == null ? "" : leaseOwner);
    p.setProperty("lastTxId", Long.toString(lastTxId));
    p.setProperty("files", Long.toString(files));
    p.setProperty("bytes", Long.toString(bytes));
    for (int i = 0; i < shipped.size(); i++) {
      ShippedFile f = shipped.get(i);
      p.setProperty("file." + i + ".path", f.path());
      p.setProperty("file." + i + ".size", Long.toString(f.size()));
      p.setProperty("file." + i + ".crc32c", Long.toString(f.crc32c()));
    }
    Path tmp = directory.resolve(FILE_NAME + ".tmp");
    try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      p.store(out, "graft store-copy snapshot");
    }
    Files.move(tmp, directory.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE);
  }

  public static SnapshotManifest readFrom(Path directory) throws IOException {
    Path file = directory.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      throw new IOException("not a complete graft snapshot: " + file + " is missing");
    }
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    }
    try {
      String owner = p.getProperty("leaseOwner", "");
      long files = Long.parseLong(p.getProperty("files"));
      List<ShippedFile> shipped = new ArrayList<>();
      for (int i = 0; p.getProperty("file." + i + ".path") != null; i++) {
        shipped.add(new ShippedFile(p.getProperty("file." + i + ".path"),
            Long.parseLong(p.getProperty("file." + i + ".size")),
            Long.parseLong(p.getProperty("file." + i + ".crc32c"))));
      }
      int format = Integer.parseInt(p.getProperty("formatVersion"));
      if (format >= 2 && shipped.size() != files) {
        throw new IllegalArgumentException("lists " + shipped.size() + " files, counts " + files);
      }
      return new SnapshotManifest(format, p.getProperty("databaseName"),
          UUID.fromString(p.getProperty("databaseId")),
          Long.parseLong(p.getProperty("index")),
          Integer.parseInt(p.getProperty("leaseId")),
          owner.isEmpty() ? null : owner,
          Long.parseLong(p.getProperty("lastTxId")),
          files,
          Long.parseLong(p.getProperty("bytes")),
          shipped);
    } catch (RuntimeException e) {
      throw new IOException("corrupt graft snapshot manifest " + file + ": " + e, e);
    }
  }
}
