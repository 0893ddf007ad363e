package io.graft.bridge.snapshot;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import java.util.UUID;

/**
 * What a store-copy snapshot covers, written beside the copied files and LAST (through a rename),
 * so a directory without it is an incomplete snapshot. Carries the state that is not in Neo4j's
 * files: the Raft index, the lease (graft's own replicated state) and the database identity.
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
    long bytes) {
  public static final String FILE_NAME = "graft-snapshot.properties";
  public static final int FORMAT_VERSION = 1;

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
      return new SnapshotManifest(
          Integer.parseInt(p.getProperty("formatVersion")),
          p.getProperty("databaseName"),
          UUID.fromString(p.getProperty("databaseId")),
          Long.parseLong(p.getProperty("index")),
          Integer.parseInt(p.getProperty("leaseId")),
          owner.isEmpty() ? null : owner,
          Long.parseLong(p.getProperty("lastTxId")),
          Long.parseLong(p.getProperty("files")),
          Long.parseLong(p.getProperty("bytes")));
    } catch (RuntimeException e) {
      throw new IOException("corrupt graft snapshot manifest " + file + ": " + e, e);
    }
  }
}
