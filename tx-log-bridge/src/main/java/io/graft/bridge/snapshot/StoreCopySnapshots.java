package io.graft.bridge.snapshot;

import io.graft.bridge.apply.LeaseState;
import io.graft.bridge.apply.SnapshotState;
import io.graft.bridge.snapshot.SnapshotManifest.ShippedFile;
import io.graft.raft.api.SnapshotSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * graft's snapshot: a consistent copy of the replicated Neo4j database with its identity, and its
 * installation in place of a member's database (docs/ARCHITECTURE.md decision 7; the Raft thesis §5
 * "log compaction": a snapshot stands for the log prefix up to its index).
 *
 * <p>{@link #write}: on the apply thread, so no replicated write can commit meanwhile (every
 * write, the leader's included, commits only by being applied). A forced checkpoint makes the
 * store files on disk complete; further checkpoints are held off while the store files and the
 * transaction-log bytes recovery needs after that checkpoint ({@link
 * StoreAccess#transactionLogsToCopy}: not the older log files, not the preallocated tail of the
 * current one) are copied; the manifest with the Raft index, lease, database identity and every
 * shipped file's size and CRC32C is written last.
 *
 * <p>{@link #install}: refuses a snapshot of another database identity (its element ids would
 * differ), stops the database through Neo4j's lifecycle, replaces its store files and
 * transaction logs, starts it (Neo4j recovers from the copied logs; graft's extension re-attaches
 * to the same Raft member), then records the lease and index so that
 * {@code lastAppliedIndex() == index}, durably.
 */
public final class StoreCopySnapshots implements SnapshotSupport {
  static final String DATABASE_DIR = "database";
  static final String TX_LOGS_DIR = "transactions";
  /** The cluster's user table (graft's replicated state, like the lease in the manifest). */
  static final String USERS_FILE = "users";

  private final SnapshotState machine;
  private final StoreAccess store;
  private final Consumer<String> progress;

  public StoreCopySnapshots(SnapshotState machine, StoreAccess store, Consumer<String> progress) {
    this.machine = machine;
    this.store = store;
    this.progress = progress;
  }

  @Override
  public long write(Path directory) throws Exception {
    long began = System.nanoTime();
    long index = machine.appliedIndex();
    LeaseState.Snapshot lease = machine.lease();
    long lastTx = store.lastCommittedTxId();
    progress.accept(String.format("graft: snapshot of '%s' at index %d (tx %d): checkpoint",
        store.databaseName(), index, lastTx));
    List<ShippedFile> shipped = new ArrayList<>();
    store.afterCheckpoint(() -> {
      shipped.addAll(StoreFiles.copyTree(
          store.databaseDirectory(), directory.resolve(DATABASE_DIR), DATABASE_DIR));
      shipped.addAll(copyLogs(store.transactionLogsToCopy(), directory.resolve(TX_LOGS_DIR)));
    });
    if (machine.appliedIndex() != index || store.lastCommittedTxId() != lastTx) {
      throw new IllegalStateException("graft: an entry was applied while the snapshot was copied"
          + " (index " + index + " -> " + machine.appliedIndex() + "); write() must run on"
          + " the apply thread");
    }
    machine.writeUsers(directory.resolve(USERS_FILE));
    SnapshotManifest manifest = SnapshotManifest.of(store.databaseName(), store.databaseId(),
        index, lease.leaseId(), lease.owner(), lastTx, shipped);
    manifest.writeTo(directory);
    progress.accept(String.format("graft: snapshot of '%s' at index %d written: %d files,"
            + " %d bytes (%d of transaction logs) in %d ms", store.databaseName(), index,
        manifest.files(), manifest.bytes(), logBytes(shipped),
        (System.nanoTime() - began) / 1_000_000));
    return index;
  }

  /**
   * Copies each range into {@code target} under its name in the transaction-logs directory. A
   * log file cut at its written end is what Neo4j itself leaves when it rotates a preallocated
   * log (it truncates the zeros), and what it writes with preallocation off: its recovery and its
   * append-position scan both stop at the end of the last entry, so nothing needs padding back.
   */
  private List<ShippedFile> copyLogs(List<StoreAccess.LogRange> ranges, Path target)
      throws IOException {
    Path logs = store.transactionLogsDirectory().toAbsolutePath().normalize();
    List<ShippedFile> shipped = new ArrayList<>();
    Set<Path> seen = new HashSet<>();
    Files.createDirectories(target);
    for (StoreAccess.LogRange range : ranges) {
      Path file = range.file().toAbsolutePath().normalize();
      if (!file.startsWith(logs) || file.equals(logs) || !seen.add(file)) {
        throw new IOException("graft: transaction log " + range.file() + " is not a single file"
            + " inside " + logs);
      }
      long size = Files.size(file);
      if (range.length() < 0 || range.length() > size) {
        throw new IOException("graft: " + file + " has " + size + " bytes; recovery was said to"
            + " need " + range.length());
      }
      String relative = StoreFiles.relative(logs, file);
      long crc = StoreFiles.copyPrefix(file, target.resolve(relative), range.length());
      shipped.add(new ShippedFile(TX_LOGS_DIR + "/" + relative, range.length(), crc));
    }
    return shipped;
  }

  private static long logBytes(List<ShippedFile> shipped) {
    return shipped.stream().filter(f -> f.path().startsWith(TX_LOGS_DIR + "/"))
        .mapToLong(ShippedFile::size).sum();
  }

  @Override
  public void install(Path directory, long index) throws Exception {
    long began = System.nanoTime();
    SnapshotManifest manifest = SnapshotManifest.readFrom(directory);
    check(manifest, index);
    // Before touching the local store: a short or damaged snapshot must leave it as it was.
    checkFiles(directory, manifest);
    progress.accept(String.format("graft: installing the snapshot of '%s' at index %d (tx %d,"
            + " %d files, %d bytes) in place of the local store at index %d: stopping the"
            + " database", manifest.databaseName(), index, manifest.lastTxId(), manifest.files(),
        manifest.bytes(), machine.appliedIndex()));
    machine.beginInstall(index);
    store.stop();
    StoreFiles.clear(store.databaseDirectory());
    StoreFiles.clear(store.transactionLogsDirectory());
    List<ShippedFile> copied = new ArrayList<>(StoreFiles.copyTree(
        directory.resolve(DATABASE_DIR), store.databaseDirectory(), DATABASE_DIR));
    copied.addAll(StoreFiles.copyTree(
        directory.resolve(TX_LOGS_DIR), store.transactionLogsDirectory(), TX_LOGS_DIR));
    checkCopied(directory, manifest, copied);
    progress.accept(String.format("graft: snapshot files of '%s' in place (%d files); starting"
        + " the database", manifest.databaseName(), copied.size()));
    store.start();
    if (store.lastCommittedTxId() != manifest.lastTxId()) {
      throw new IllegalStateException("graft: after installing the snapshot the database is at"
          + " tx " + store.lastCommittedTxId() + ", the snapshot at tx " + manifest.lastTxId());
    }
    machine.installUsers(directory.resolve(USERS_FILE), index);
    machine.completeInstall(index, manifest.leaseId(), manifest.leaseOwner());
    progress.accept(String.format("graft: snapshot installed: '%s' at index %d, tx %d, lease %d,"
            + " in %d ms", manifest.databaseName(), index, manifest.lastTxId(),
        manifest.leaseId(), (System.nanoTime() - began) / 1_000_000));
  }

  /**
   * The snapshot directory holds exactly the listed files (no more, by count and bytes), each
   * with its listed size and CRC32C. A format-1 manifest lists none: totals only.
   */
  private static void checkFiles(Path directory, SnapshotManifest manifest) throws IOException {
    checkTotals(directory, manifest, StoreFiles.measure(directory.resolve(DATABASE_DIR))
        .plus(StoreFiles.measure(directory.resolve(TX_LOGS_DIR))));
    for (ShippedFile f : manifest.shipped()) {
      Path file = directory.resolve(f.path()).normalize();
      if (!file.startsWith(directory.normalize()) || !Files.isRegularFile(file)
          || Files.size(file) != f.size() || StoreFiles.checksum(file) != f.crc32c()) {
        throw new IOException("graft: the snapshot in " + directory + " is incomplete or"
            + " damaged: " + f.path() + " is missing or differs from its manifest entry " + f);
      }
    }
  }

  /** What was copied into place is what the manifest lists (same paths, sizes, checksums). */
  private static void checkCopied(Path directory, SnapshotManifest manifest,
      List<ShippedFile> copied) throws IOException {
    checkTotals(directory, manifest, StoreFiles.Copied.of(copied));
    if (manifest.formatVersion() >= 2
        && !new HashSet<>(copied).equals(new HashSet<>(manifest.shipped()))) {
      throw new IOException("graft: the files copied from " + directory + " differ from its"
          + " manifest");
    }
  }

  private static void checkTotals(
      Path directory, SnapshotManifest manifest, StoreFiles.Copied found) throws IOException {
    if (found.files() != manifest.files() || found.bytes() != manifest.bytes()) {
      throw new IOException("graft: the snapshot in " + directory + " is incomplete: "
          + found.files() + " files, " + found.bytes() + " bytes; its manifest lists "
          + manifest.files() + " files, " + manifest.bytes() + " bytes");
    }
  }

  private void check(SnapshotManifest manifest, long index) {
    // Format 1 (whole tx-log folder, totals only) still installs: a member upgraded before its
    // leader must not refuse the leader's snapshot.
    if (manifest.formatVersion() < 1
        || manifest.formatVersion() > SnapshotManifest.FORMAT_VERSION) {
      throw new IllegalArgumentException("graft: snapshot format " + manifest.formatVersion()
          + " is not supported (this member reads formats 1 to " + SnapshotManifest.FORMAT_VERSION
          + ")");
    }
    if (manifest.index() != index) {
      throw new IllegalArgumentException("graft: the snapshot covers index " + manifest.index()
          + ", not " + index);
    }
    if (!manifest.databaseName().equals(store.databaseName())
        || !manifest.databaseId().equals(store.databaseId())) {
      throw new IllegalArgumentException("graft: the snapshot is of database '"
          + manifest.databaseName() + "' " + manifest.databaseId() + ", this member replicates '"
          + store.databaseName() + "' " + store.databaseId() + ": element ids would differ."
          + " Members of one cluster must share server.raft.cluster_id and create their"
          + " databases with graft enabled (plugin/README.md \"Bootstrap\")");
    }
  }
}
