package io.graft.bridge.snapshot;

import io.graft.bridge.apply.GraphStateMachine;
import io.graft.bridge.apply.LeaseState;
import io.graft.raft.api.SnapshotSupport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * graft's snapshot: a consistent copy of the replicated Neo4j database with its identity, and
 * its installation in place of a member's database (ARCHITECTURE decision 7; the Raft thesis §5
 * "log compaction": a snapshot stands for the log prefix up to its index).
 *
 * <p>{@link #write}: on the apply thread, so no replicated write can commit meanwhile (every
 * write, the leader's included, commits only by being applied). A forced checkpoint makes the
 * store files on disk complete; further checkpoints are held off while the store files and the
 * transaction logs are copied; the manifest with the Raft index, lease and database identity is
 * written last.
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

  private final GraphStateMachine machine;
  private final StoreAccess store;
  private final Consumer<String> progress;

  public StoreCopySnapshots(
      GraphStateMachine machine, StoreAccess store, Consumer<String> progress) {
    this.machine = machine;
    this.store = store;
    this.progress = progress;
  }

  @Override
  public long write(Path directory) throws Exception {
    long began = System.nanoTime();
    long index = machine.lastAppliedIndex();
    LeaseState.Snapshot lease = machine.currentLease();
    long lastTx = store.lastCommittedTxId();
    progress.accept(String.format("graft: snapshot of '%s' at index %d (tx %d): checkpoint",
        store.databaseName(), index, lastTx));
    StoreFiles.Copied[] copied = new StoreFiles.Copied[1];
    store.afterCheckpoint(() -> copied[0] =
        StoreFiles.copyTree(store.databaseDirectory(), directory.resolve(DATABASE_DIR))
            .plus(StoreFiles.copyTree(
                store.transactionLogsDirectory(), directory.resolve(TX_LOGS_DIR))));
    if (machine.lastAppliedIndex() != index || store.lastCommittedTxId() != lastTx) {
      throw new IllegalStateException("graft: an entry was applied while the snapshot was copied"
          + " (index " + index + " -> " + machine.lastAppliedIndex() + "); write() must run on"
          + " the apply thread");
    }
    new SnapshotManifest(SnapshotManifest.FORMAT_VERSION, store.databaseName(), store.databaseId(),
        index, lease.leaseId(), lease.owner(), lastTx, copied[0].files(), copied[0].bytes())
        .writeTo(directory);
    progress.accept(String.format("graft: snapshot of '%s' at index %d written: %d files,"
            + " %d bytes in %d ms", store.databaseName(), index, copied[0].files(),
        copied[0].bytes(), (System.nanoTime() - began) / 1_000_000));
    return index;
  }

  @Override
  public void install(Path directory, long index) throws Exception {
    long began = System.nanoTime();
    SnapshotManifest manifest = SnapshotManifest.readFrom(directory);
    check(manifest, index);
    // Before touching the local store: a short snapshot must leave it as it was.
    checkComplete(directory, manifest,
        StoreFiles.measure(directory.resolve(DATABASE_DIR))
            .plus(StoreFiles.measure(directory.resolve(TX_LOGS_DIR))));
    progress.accept(String.format("graft: installing the snapshot of '%s' at index %d (tx %d,"
            + " %d files, %d bytes) in place of the local store at index %d: stopping the"
            + " database", manifest.databaseName(), index, manifest.lastTxId(), manifest.files(),
        manifest.bytes(), machine.lastAppliedIndex()));
    machine.beginInstall(index);
    store.stop();
    StoreFiles.clear(store.databaseDirectory());
    StoreFiles.clear(store.transactionLogsDirectory());
    StoreFiles.Copied copied =
        StoreFiles.copyTree(directory.resolve(DATABASE_DIR), store.databaseDirectory())
            .plus(StoreFiles.copyTree(
                directory.resolve(TX_LOGS_DIR), store.transactionLogsDirectory()));
    checkComplete(directory, manifest, copied);
    progress.accept(String.format("graft: snapshot files of '%s' in place (%d files); starting"
        + " the database", manifest.databaseName(), copied.files()));
    store.start();
    if (store.lastCommittedTxId() != manifest.lastTxId()) {
      throw new IllegalStateException("graft: after installing the snapshot the database is at"
          + " tx " + store.lastCommittedTxId() + ", the snapshot at tx " + manifest.lastTxId());
    }
    machine.completeInstall(index, manifest.leaseId(), manifest.leaseOwner());
    progress.accept(String.format("graft: snapshot installed: '%s' at index %d, tx %d, lease %d,"
            + " in %d ms", manifest.databaseName(), index, manifest.lastTxId(),
        manifest.leaseId(), (System.nanoTime() - began) / 1_000_000));
  }

  private static void checkComplete(
      Path directory, SnapshotManifest manifest, StoreFiles.Copied found) throws IOException {
    if (found.files() != manifest.files() || found.bytes() != manifest.bytes()) {
      throw new IOException("graft: the snapshot in " + directory + " is incomplete: "
          + found.files() + " files, " + found.bytes() + " bytes; its manifest lists "
          + manifest.files() + " files, " + manifest.bytes() + " bytes");
    }
  }

  private void check(SnapshotManifest manifest, long index) {
    if (manifest.formatVersion() != SnapshotManifest.FORMAT_VERSION) {
      throw new IllegalArgumentException("graft: snapshot format " + manifest.formatVersion()
          + " is not supported (this member reads format " + SnapshotManifest.FORMAT_VERSION + ")");
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
