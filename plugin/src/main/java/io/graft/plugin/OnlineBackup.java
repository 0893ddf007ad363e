package io.graft.plugin;

import io.graft.bridge.apply.GraphStateMachine;
import io.graft.bridge.apply.LeaseState;
import io.graft.bridge.snapshot.BackupManifest;
import io.graft.bridge.snapshot.OnlineStoreCopy;
import io.graft.bridge.snapshot.SnapshotManifest.ShippedFile;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.neo4j.dbms.archive.DumpFormatSelector;
import org.neo4j.dbms.archive.Dumper;
import org.neo4j.io.fs.DefaultFileSystemAbstraction;
import org.neo4j.kernel.database.Database;

/**
 * {@code raft.backup(directory)}: a consistent copy of the replicated database at one applied
 * index, taken while writes continue ({@link OnlineStoreCopy}; the boundary is read between two
 * applies of graft's state machine, so the index, the lease and the last transaction belong
 * together), plus this member's {@code system} database (it holds the replicated database's
 * identity, which element ids embed). The directory is laid out as a Neo4j {@code data/} folder:
 * a plain Neo4j 5.26 server started with it as {@code server.directories.data} recovers the
 * transaction-log tail and serves exactly the writes up to the backup's index, with the same
 * element ids; a graft server started on it alone seeds a new cluster ({@link SeedCheck}).
 * {@code graft-backup.properties} is written last; optionally {@code <db>.dump} too, written by
 * Neo4j's own dumper from the copy and loadable with {@code neo4j-admin database load}.
 *
 * <p>Refused before anything is written: a relative path, a directory that exists and is not
 * empty, one that cannot be created or written. On any later failure everything written is
 * removed again (a directory that existed empty is left empty).
 */
final class OnlineBackup {
  /** What {@code raft.backup} reports. */
  record Result(Path directory, long appliedIndex, long lastTxId, long bytes, long millis,
      Path dump) {}

  /** The state at the boundary, read under the apply lock. */
  private record Point(long index, long lastTxId, LeaseState.Snapshot lease) {}

  private final RaftPluginConfig config;
  private final Database replicated;
  private final Database system;
  private final GraphStateMachine machine;
  private final Consumer<String> progress;

  OnlineBackup(RaftPluginConfig config, Database replicated, Database system,
      GraphStateMachine machine, Consumer<String> progress) {
    this.config = config;
    this.replicated = replicated;
    this.system = system;
    this.machine = machine;
    this.progress = progress;
  }

  Result take(Path directory, boolean dump) throws IOException {
    long began = System.nanoTime();
    boolean created = prepare(directory);
    try {
      Result r = write(directory, dump, began);
      progress.accept(String.format("graft: backup of '%s' in %s complete: index %d, tx %d,"
              + " %d bytes in %d ms%s", config.database(), directory, r.appliedIndex(),
          r.lastTxId(), r.bytes(), r.millis(), dump ? " (with " + r.dump().getFileName() + ")"
              : ""));
      return r;
    } catch (IOException | RuntimeException | Error e) {
      progress.accept("graft: backup into " + directory + " failed (" + e + "); removing what"
          + " was written");
      removeWritten(directory, created);
      throw e;
    }
  }

  private Result write(Path directory, boolean dump, long began) throws IOException {
    String db = config.database();
    Neo4jOnlineStore store = new Neo4jOnlineStore(replicated);
    progress.accept(String.format("graft: backup of '%s' into %s: checkpoint, then store files"
        + " while writes continue", db, directory));
    OnlineStoreCopy.Copied<Point> copied = OnlineStoreCopy.copy(store, directory,
        () -> boundary(store), progress);
    Point at = copied.state();
    progress.accept(String.format("graft: backup of '%s': store files and transaction log up to"
        + " index %d (tx %d) copied, %d bytes; now the system database", db, at.index(),
        at.lastTxId(), copied.bytes()));
    Neo4jOnlineStore sys = new Neo4jOnlineStore(system);
    OnlineStoreCopy.Copied<Void> systemCopy = OnlineStoreCopy.copy(sys, directory,
        () -> new OnlineStoreCopy.Boundary<>(sys.quietBoundary(), null), progress);
    List<ShippedFile> files = new ArrayList<>(copied.files());
    files.addAll(systemCopy.files());
    BackupManifest manifest = new BackupManifest(BackupManifest.FORMAT_VERSION, db,
        replicated.getNamedDatabaseId().databaseId().uuid(), at.index(), at.lastTxId(),
        at.lease().leaseId(), at.lease().owner(), config.self(), config.clusterId(),
        System.currentTimeMillis(), files);
    manifest.writeTo(directory);
    Path dumpFile = null;
    if (dump) {
      dumpFile = writeDump(directory, db);
    }
    return new Result(directory, at.index(), at.lastTxId(), manifest.bytes(),
        (System.nanoTime() - began) / 1_000_000, dumpFile);
  }

  /** Between two applies: the append position and the applied state it belongs to. */
  private OnlineStoreCopy.Boundary<Point> boundary(Neo4jOnlineStore store) throws IOException {
    try {
      return machine.atAppliedBoundary(() -> {
        try {
          return new OnlineStoreCopy.Boundary<>(store.appendPosition(), new Point(
              machine.lastAppliedIndex(), machine.lastCommittedTxId(), machine.currentLease()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** {@code <db>.dump} by Neo4j's own dumper, from the copy (its recovery runs on load). */
  private Path writeDump(Path directory, String db) throws IOException {
    Path archive = directory.resolve(db + Dumper.DUMP_EXTENSION);
    progress.accept("graft: backup of '" + db + "': writing " + archive + " with Neo4j's dumper");
    try (DefaultFileSystemAbstraction fs = new DefaultFileSystemAbstraction()) {
      Dumper dumper = new Dumper(fs);
      OutputStream out = dumper.openForDump(archive);
      dumper.dump(directory.resolve("databases").resolve(db),
          directory.resolve("transactions").resolve(db), out, DumpFormatSelector.selectFormat(),
          path -> false);
    }
    return archive;
  }

  /**
   * Checks the target before anything is written. Returns true if it was created here (so a
   * failure removes it), false if it existed empty.
   */
  static boolean prepare(Path directory) throws IOException {
    if (!directory.isAbsolute()) {
      throw new IllegalArgumentException("raft.backup needs an absolute directory path (it is"
          + " written by the server, whose working directory is not the caller's), got '"
          + directory + "'");
    }
    boolean created = false;
    if (Files.exists(directory)) {
      if (!Files.isDirectory(directory)) {
        throw new IllegalArgumentException("raft.backup: " + directory + " exists and is not a"
            + " directory; name a new directory (or an empty one)");
      }
      try (Stream<Path> entries = Files.list(directory)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalArgumentException("raft.backup: " + directory + " exists and is not"
              + " empty; a backup never overwrites anything: name a new directory, or empty"
              + " this one");
        }
      }
    } else {
      try {
        Files.createDirectories(directory);
        created = true;
      } catch (IOException e) {
        throw notWritable(directory, e);
      }
    }
    try {
      Files.delete(Files.createTempFile(directory, ".graft-write-check", ""));
    } catch (IOException e) {
      if (created) {
        Files.deleteIfExists(directory);
      }
      throw notWritable(directory, e);
    }
    return created;
  }

  private static IllegalArgumentException notWritable(Path directory, IOException e) {
    String why = e instanceof AccessDeniedException ? "permission denied" : e.toString();
    return new IllegalArgumentException("raft.backup: cannot write into " + directory + " ("
        + why + "); the server writes the backup as user '" + System.getProperty("user.name")
        + "': give it write access or name another directory");
  }

  /** Removes everything under {@code directory}, and the directory itself if it was created. */
  static void removeWritten(Path directory, boolean created) {
    try (Stream<Path> walk = Files.walk(directory)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        if (created || !p.equals(directory)) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      // Best effort: the manifest is written last, so what is left is never taken for a backup.
    }
  }
}
