package io.graft.bridge.snapshot;

import io.graft.bridge.snapshot.SnapshotManifest.ShippedFile;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

/**
 * {@code graft-backup.properties} at the root of a backup written by {@code raft.backup}: the
 * replicated database, its identity, the Raft index and last transaction the backup holds, the
 * lease, where and when it was taken, and every file with its size and CRC32C. Written last
 * (temporary file, rename), so a directory without it is not a complete backup. A server started
 * on the backup as its {@code data/} folder with graft enabled and {@code initial_members} naming
 * only itself finds it and seeds a new cluster on the backup's data; after that it is renamed.
 */
public record BackupManifest(
    int formatVersion,
    String databaseName,
    UUID databaseId,
    long appliedIndex,
    long lastTxId,
    int leaseId,
    String leaseOwner,
    String member,
    String clusterId,
    long createdAtMillis,
    List<ShippedFile> files) {
  public static final String FILE_NAME = "graft-backup.properties";
  public static final int FORMAT_VERSION = 1;

  public BackupManifest {
    files = List.copyOf(files);
  }

  public long bytes() {
    return files.stream().mapToLong(ShippedFile::size).sum();
  }

  /** True if this backup is of {@code database} with this identity, recovered to {@code lastTx}. */
  public boolean matches(String database, UUID id, long lastTx) {
    return databaseName.equals(database) && databaseId.equals(id) && lastTxId == lastTx;
  }

  public void writeTo(Path directory) throws IOException {
    Properties p = new Properties();
    p.setProperty("formatVersion", Integer.toString(formatVersion));
    p.setProperty("databaseName", databaseName);
    p.setProperty("databaseId", databaseId.toString());
    p.setProperty("appliedIndex", Long.toString(appliedIndex));
    p.setProperty("lastTxId", Long.toString(lastTxId));
    p.setProperty("leaseId", Integer.toString(leaseId));
    p.setProperty("leaseOwner", leaseOwner == null ? "" : leaseOwner);
    p.setProperty("member", member);
    p.setProperty("clusterId", clusterId);
    p.setProperty("createdAtMillis", Long.toString(createdAtMillis));
    p.setProperty("files", Integer.toString(files.size()));
    p.setProperty("bytes", Long.toString(bytes()));
    for (int i = 0; i < files.size(); i++) {
      ShippedFile f = files.get(i);
      p.setProperty("file." + i + ".path", f.path());
      p.setProperty("file." + i + ".size", Long.toString(f.size()));
      p.setProperty("file." + i + ".crc32c", Long.toString(f.crc32c()));
    }
    Path tmp = directory.resolve(FILE_NAME + ".tmp");
    try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      p.store(out, "graft online backup (raft.backup); start a server on this folder as its"
          + " data/ directory");
    }
    Files.move(tmp, directory.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE);
  }

  /** The manifest in {@code directory}, if there is one. */
  public static Optional<BackupManifest> readFrom(Path directory) throws IOException {
    Path file = directory.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    }
    try {
      List<ShippedFile> files = new ArrayList<>();
      for (int i = 0; p.getProperty("file." + i + ".path") != null; i++) {
        files.add(new ShippedFile(p.getProperty("file." + i + ".path"),
            Long.parseLong(p.getProperty("file." + i + ".size")),
            Long.parseLong(p.getProperty("file." + i + ".crc32c"))));
      }
      String owner = p.getProperty("leaseOwner", "");
      return Optional.of(new BackupManifest(Integer.parseInt(p.getProperty("formatVersion")),
          p.getProperty("databaseName"), UUID.fromString(p.getProperty("databaseId")),
          Long.parseLong(p.getProperty("appliedIndex")),
          Long.parseLong(p.getProperty("lastTxId")),
          Integer.parseInt(p.getProperty("leaseId")), owner.isEmpty() ? null : owner,
          p.getProperty("member"), p.getProperty("clusterId"),
          Long.parseLong(p.getProperty("createdAtMillis")), files));
    } catch (RuntimeException e) {
      throw new IOException("corrupt graft backup manifest " + file + ": " + e, e);
    }
  }

  /**
   * Checks every listed file is present with its size and CRC32C (a backup copied elsewhere must
   * arrive whole). Files Neo4j changed since (after a server started on it) fail the check.
   */
  public void verify(Path directory) throws IOException {
    for (ShippedFile f : files) {
      Path file = directory.resolve(f.path()).normalize();
      if (!file.startsWith(directory.normalize()) || !Files.isRegularFile(file)
          || Files.size(file) != f.size() || StoreFiles.checksum(file) != f.crc32c()) {
        throw new IOException("graft: the backup in " + directory + " is incomplete or"
            + " damaged: " + f.path() + " is missing or differs from its manifest entry " + f);
      }
    }
  }
}
