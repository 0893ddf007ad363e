package io.graft.plugin;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

/**
 * {@code data/raft/<db>/store-base}: the database this member's Raft state belongs to, by
 * identity, and the last transaction its store held when that state began (a fresh store's
 * initialisation, a seeded database's last transaction, an installed snapshot's). Checked at every
 * start: a store swapped underneath the Raft state (another database, or transactions that did
 * not come through Raft) would otherwise be taken for the state the log says was applied, and the
 * member would vote and serve reads on it. Written atomically (temporary file, rename).
 *
 * @param databaseId the identity in the system graph (element ids embed it)
 * @param lastTxId the store's last transaction when the Raft state began or was last replaced
 */
record StoreBase(UUID databaseId, long lastTxId) {
  static final String FILE_NAME = "store-base";

  static Optional<StoreBase> read(Path raftDirectory) throws IOException {
    Path file = raftDirectory.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    }
    try {
      return Optional.of(new StoreBase(UUID.fromString(p.getProperty("databaseId")),
          Long.parseLong(p.getProperty("lastTxId"))));
    } catch (RuntimeException e) {
      throw new IOException("graft: " + file + " is corrupt (" + e + "); it records which"
          + " database this member's Raft state belongs to. Do not edit it.", e);
    }
  }

  void write(Path raftDirectory) throws IOException {
    Files.createDirectories(raftDirectory);
    Properties p = new Properties();
    p.setProperty("databaseId", databaseId.toString());
    p.setProperty("lastTxId", Long.toString(lastTxId));
    Path tmp = raftDirectory.resolve(FILE_NAME + ".tmp");
    try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      p.store(out, "graft: the database this Raft state belongs to (do not edit)");
    }
    Files.move(tmp, raftDirectory.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }
}
