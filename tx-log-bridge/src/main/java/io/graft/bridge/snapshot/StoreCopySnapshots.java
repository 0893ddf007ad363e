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
 * <p>{@link #write}: while entries keep being applied (Neo4j's online store-copy protocol; see
 * the method). A forced checkpoint; with further checkpoints held off the store files are
 * copied, then at a cut between two applies the transaction-log bytes recovery needs from that
 * checkpoint up to the cut ({@link StoreAccess#transactionLogsToCopy}: not the older log files,
 * not the preallocated tail of the current one); the manifest with the Raft index, lease,
 * database identity and every shipped file's size and CRC32C is written last.
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
  private final boolean whileApplying;

  /** A snapshot written while entries are applied ({@link #writesWhileApplying}). */
  public StoreCopySnapshots(SnapshotState machine, StoreAccess store, Consumer<String> progress) {
    this(machine, store, progress, true);
  }

  /** @param whileApplying false: written on the apply thread, applies waiting (for A/B runs) */
  public StoreCopySnapshots(SnapshotState machine, StoreAccess store, Consumer<String> progress,
      boolean whileApplying) {
    this.machine = machine;
    this.store = store;
    this.progress = progress;
    this.whileApplying = whileApplying;
  }

  /**
   * True unless built for the apply thread: a store copy is written while entries keep being
   * applied (Neo4j's own online store-copy protocol), so it never stalls committers.
   */
  @Override
  public boolean writesWhileApplying() {
    return whileApplying;
  }

  /**
   * The snapshot. While applying (the default), on the runtime's snapshot thread: a forced
   * checkpoint, then, with further checkpoints held off, the store files are copied while
   * transactions keep committing (a page may be caught half-way through a later transaction);
   * then the cut ({@link SnapshotState#atCut}, between two applies, Neo4j's log forced): the
   * applied index, the lease, the last transaction and the transaction-log ranges up to the log's
   * end; the log is copied up to that end. Every transaction whose effects can be in the copied
   * store files committed before the cut, and the copied log holds every transaction from the
   * checkpoint to the cut: Neo4j's recovery on the copy replays them (record commands are
   * idempotent after-images; GBPTree files open at the checkpoint's stable generation), which
   * repairs what the store files caught half-way and ends exactly at the cut's transaction. On
   * the apply thread (built so), the same with nothing applied meanwhile.
   */
  @Override
  public long write(Path directory) throws Exception {
    long began = System.nanoTime();
    long installsAtStart = machine.installGeneration();
    progress.accept(String.format("graft: snapshot of '%s' from index %d (tx %d): checkpoint",
        store.databaseName(), machine.appliedIndex(), store.lastCommittedTxId()));
    List<ShippedFile> shipped = new ArrayList<>();
    Cut[] cut = new Cut[1];
    store.afterCheckpoint(() -> {
      shipped.addAll(StoreFiles.copyStore(
          store.databaseDirectory(), directory.resolve(DATABASE_DIR), DATABASE_DIR));
      try {
        cut[0] = machine.atCut(() -> {
          // the cluster's user table as of the cut's index (users entries apply under the lock)
          machine.writeUsers(directory.resolve(USERS_FILE));
          return new Cut(machine.appliedIndex(), machine.lease(), store.lastCommittedTxId(),
              store.transactionLogsToCopy());
        });
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IOException(e);
      }
      shipped.addAll(copyLogs(cut[0].logs(), directory.resolve(TX_LOGS_DIR)));
    });
    if (machine.installGeneration() != installsAtStart) {
      throw new IllegalStateException("graft: a snapshot install replaced the store while the"
          + " snapshot was written; not publishing it");
    }
    Cut at = cut[0];
    SnapshotManifest manifest = SnapshotManifest.of(store.databaseName(), store.databaseId(),
        at.index(), at.lease().leaseId(), at.lease().owner(), at.lastTx(), shipped);
    manifest.writeTo(directory);
    progress.accept(String.format("graft: snapshot of '%s' at index %d (tx %d) written: %d files,"
            + " %d bytes (%d of transaction logs) in %d ms%s", store.databaseName(), at.index(),
        at.lastTx(), manifest.files(), manifest.bytes(), logBytes(shipped),
        (System.nanoTime() - began) / 1_000_000, whileApplying ? " while applying" : ""));
    return at.index();
  }

  /** The state a snapshot covers, read at one moment between two applies. */
  private record Cut(long index, LeaseState.Snapshot lease, long lastTx,
      List<StoreAccess.LogRange> logs) {}

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
