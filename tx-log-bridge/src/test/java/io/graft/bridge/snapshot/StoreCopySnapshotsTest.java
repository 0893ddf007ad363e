package io.graft.bridge.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.bridge.apply.DatabaseHandle;
import io.graft.bridge.apply.DatabaseSlot;
import io.graft.bridge.apply.GraphStateMachine;
import io.graft.bridge.apply.LeaseFencing;
import io.graft.bridge.apply.LeaseState;
import io.graft.bridge.apply.Durability;
import io.graft.bridge.capture.ProposalWaiters;
import io.graft.bridge.capture.WriteGate;
import io.graft.bridge.codec.EntryCodec;
import io.graft.bridge.model.LeaseEntry;
import io.graft.bridge.model.ReplicatedEntry;
import io.graft.bridge.model.TxEntry;
import io.graft.raft.api.CommittedEntry;
import io.graft.raft.api.SnapshotSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store-copy snapshot's own rules on plain folders (Neo4j is faked; the real-Neo4j round trip
 * is it-tests' StoreCopySnapshotTest): what is copied and what never travels, the manifest
 * carrying index, lease and identity, the refusal of another database's snapshot or an incomplete
 * one (leaving the local store untouched), and the machine's state after an install.
 */
class StoreCopySnapshotsTest {
  private static final UUID DB_ID = UUID.fromString("cb117b19-f043-3788-a504-66f680ccb50c");

  @TempDir Path tmp;

  /** A member: a fake store in folders plus a real GraphStateMachine over a fake applier. */
  private final class Member implements StoreAccess {
    final Path root;
    final UUID id;
    final AtomicLong lastTx = new AtomicLong(3);
    final AtomicLong consensus = new AtomicLong(-1);
    final WriteGate gate = new WriteGate();
    final List<String> lifecycle = new ArrayList<>();
    final List<Boolean> allocation = new ArrayList<>();
    boolean failStart;
    /** Runs while the store files are being copied (applies that go on meanwhile). */
    ThrowingRunnable duringCopy = () -> { };
    /** What the fake Neo4j says recovery needs; by default every tx-log file, whole. */
    List<StoreAccess.LogRange> logRanges;
    final GraphStateMachine machine;
    final SnapshotSupport snapshots;

    Member(String name, UUID id) throws IOException {
      this.root = tmp.resolve(name);
      this.id = id;
      Files.createDirectories(databaseDirectory());
      Files.createDirectories(transactionLogsDirectory());
      DatabaseSlot slot = new DatabaseSlot(new DatabaseHandle((tx, index) -> {
        consensus.set(index);
        return lastTx.incrementAndGet();
      }, allocation::add, lastTx::get, consensus::get, t -> { },
          Durability.everyApply(consensus::get)));
      machine = new GraphStateMachine(name,
          new LeaseFencing(name, LeaseState.open(root.resolve("raft")), gate), slot,
          new ProposalWaiters(), state -> new StoreCopySnapshots(state, this,
              line -> lifecycle.add("log")));
      slot.databaseAvailable(true);
      snapshots = machine.snapshots();
    }

    @Override
    public String databaseName() {
      return "neo4j";
    }

    @Override
    public UUID databaseId() {
      return id;
    }

    @Override
    public long lastCommittedTxId() {
      return lastTx.get();
    }

    @Override
    public Path databaseDirectory() {
      return root.resolve("databases/neo4j");
    }

    @Override
    public Path transactionLogsDirectory() {
      return root.resolve("transactions/neo4j");
    }

    @Override
    public void afterCheckpoint(FileCopy copy) throws IOException {
      lifecycle.add("checkpoint");
      try {
        duringCopy.run();
      } catch (Exception e) {
        throw new IOException(e);
      }
      copy.run();
      lifecycle.add("checkpoints-allowed");
    }

    @Override
    public List<StoreAccess.LogRange> transactionLogsToCopy() throws IOException {
      lifecycle.add("log-ranges");
      if (logRanges != null) {
        return logRanges;
      }
      try (Stream<Path> files = Files.list(transactionLogsDirectory())) {
        return files.sorted().map(f -> new StoreAccess.LogRange(f, size(f))).toList();
      }
    }

    @Override
    public void stop() {
      lifecycle.add("stop");
    }

    @Override
    public void start() throws IOException {
      lifecycle.add("start");
      if (failStart) {
        throw new IOException("the database did not start");
      }
      // Neo4j recovers the last tx from the copied logs; the fake reads it from a file.
      lastTx.set(Long.parseLong(Files.readString(transactionLogsDirectory().resolve("tx"))));
    }

    void file(Path dir, String name, String content) throws IOException {
      Files.createDirectories(dir.resolve(name).getParent());
      Files.writeString(dir.resolve(name), content);
    }

    void apply(long index, ReplicatedEntry entry) throws Exception {
      machine.apply(new CommittedEntry(index, 1, EntryCodec.encode(entry)));
    }
  }

  @FunctionalInterface
  interface ThrowingRunnable {
    void run() throws Exception;
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static TxEntry tx(int lease) {
    return new TxEntry("a", 0, lease, (byte) 1, 0, 0, 0, null, 0, new byte[0]);
  }

  /** Where Neo4j's recovery keeps the bytes it cut after a log's last complete entry. */
  private static final String CUT_TAIL =
      "corrupted-neostore.transaction.db/corrupted-neostore.transaction.db-4-262376-1.zip";
  private static final String CUT_TAIL_OF_B =
      "corrupted-neostore.transaction.db/corrupted-neostore.transaction.db-2-262200-2.zip";

  private Member leaderWithData() throws Exception {
    Member a = new Member("a", DB_ID);
    a.apply(1, new LeaseEntry(1, "a"));
    a.apply(2, tx(1));
    a.apply(3, tx(1));
    a.file(a.databaseDirectory(), "neostore", "store");
    a.file(a.databaseDirectory(), "schema/index/range-1.0/1/index-1", "index");
    a.file(a.databaseDirectory(), "database_lock", "mine");
    a.file(a.databaseDirectory(), CUT_TAIL, "a's torn tail, cut by its recovery");
    a.file(a.transactionLogsDirectory(), "neostore.transaction.db.0", "log");
    a.file(a.transactionLogsDirectory(), "tx", Long.toString(a.lastTx.get()));
    return a;
  }

  @Test
  void writeCopiesStoreAndLogsAfterACheckpointButNeverTheLockFile() throws Exception {
    Member a = leaderWithData();
    Path snap = Files.createDirectories(tmp.resolve("snap"));

    long index = a.snapshots.write(snap);

    assertThat(index).isEqualTo(3);
    assertThat(snap.resolve("database/neostore")).hasContent("store");
    assertThat(snap.resolve("database/schema/index/range-1.0/1/index-1")).hasContent("index");
    assertThat(snap.resolve("database/database_lock")).doesNotExist();
    assertThat(snap.resolve("database/" + CUT_TAIL)).doesNotExist();
    assertThat(snap.resolve("database/corrupted-neostore.transaction.db")).doesNotExist();
    assertThat(snap.resolve("transactions/neostore.transaction.db.0")).hasContent("log");
    assertThat(a.lifecycle).startsWith("log", "checkpoint", "log-ranges", "checkpoints-allowed");
    SnapshotManifest m = SnapshotManifest.readFrom(snap);
    assertThat(m.index()).isEqualTo(3);
    assertThat(m.leaseId()).isEqualTo(1);
    assertThat(m.leaseOwner()).isEqualTo("a");
    assertThat(m.databaseId()).isEqualTo(DB_ID);
    assertThat(m.lastTxId()).isEqualTo(5);
    assertThat(m.files()).isEqualTo(4);
  }

  /**
   * Neo4j's layout with preallocation on: an old log before the checkpoint, the current log
   * written to 4 bytes of its preallocated 1 MiB, the checkpoint file to 2 bytes of 64 KiB.
   */
  private Member leaderWithPreallocatedLogs() throws Exception {
    Member a = leaderWithData();
    Path logs = a.transactionLogsDirectory();
    Files.delete(logs.resolve("neostore.transaction.db.0"));
    a.file(logs, "neostore.transaction.db.0", "older than the checkpoint");
    Files.write(logs.resolve("neostore.transaction.db.1"), withZeros("log1", 1 << 20));
    Files.write(logs.resolve("checkpoint.0"), withZeros("cp", 1 << 16));
    a.logRanges = List.of(
        new StoreAccess.LogRange(logs.resolve("neostore.transaction.db.1"), 4),
        new StoreAccess.LogRange(logs.resolve("checkpoint.0"), 2),
        new StoreAccess.LogRange(logs.resolve("tx"), size(logs.resolve("tx"))));
    return a;
  }

  private static byte[] withZeros(String written, int length) {
    byte[] bytes = new byte[length];
    byte[] head = written.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(head, 0, bytes, 0, head.length);
    return bytes;
  }

  @Test
  void aSnapshotWrittenWhileApplyingCoversItsCutNotWhereItStarted() throws Exception {
    Member a = leaderWithData();
    assertThat(a.snapshots.writesWhileApplying()).isTrue();
    // Two more transactions and a lease change commit after the checkpoint, while the store is
    // being copied: the cut is after them, and the manifest says so.
    a.duringCopy = () -> {
      a.apply(4, tx(1));
      a.apply(5, new LeaseEntry(2, "b"));
      a.file(a.transactionLogsDirectory(), "tx", Long.toString(a.lastTx.get()));
    };
    Path snap = Files.createDirectories(tmp.resolve("snap"));

    long index = a.snapshots.write(snap);

    assertThat(index).isEqualTo(5);
    SnapshotManifest m = SnapshotManifest.readFrom(snap);
    assertThat(m.index()).isEqualTo(5);
    assertThat(m.lastTxId()).isEqualTo(6);
    assertThat(m.leaseId()).isEqualTo(2);
    assertThat(m.leaseOwner()).isEqualTo("b");
    Member b = new Member("b", DB_ID);
    b.snapshots.install(snap, index);
    assertThat(b.machine.lastAppliedIndex()).isEqualTo(5);
    assertThat(b.lastTx.get()).isEqualTo(6);
  }

  @Test
  void aSnapshotWrittenAcrossAnInstallIsNotPublished() throws Exception {
    Member a = leaderWithData();
    Path first = Files.createDirectories(tmp.resolve("first"));
    long index = a.snapshots.write(first);
    Member b = new Member("b", DB_ID);
    b.file(b.databaseDirectory(), "neostore", "b's store");
    b.file(b.transactionLogsDirectory(), "tx", "3");
    // b starts a snapshot; while it copies, a snapshot install replaces b's store.
    b.duringCopy = () -> b.snapshots.install(first, index);
    assertThatThrownBy(() -> b.snapshots.write(Files.createDirectories(tmp.resolve("second"))))
        .hasMessageContaining("install replaced the store");
    assertThat(tmp.resolve("second").resolve(SnapshotManifest.FILE_NAME)).doesNotExist();
  }

  @Test
  void writeShipsOnlyTheLogBytesRecoveryNeedsAndListsThemWithChecksums() throws Exception {
    Member a = leaderWithPreallocatedLogs();
    Path snap = Files.createDirectories(tmp.resolve("snap"));

    a.snapshots.write(snap);

    assertThat(snap.resolve("transactions/neostore.transaction.db.0")).doesNotExist();
    assertThat(snap.resolve("transactions/neostore.transaction.db.1")).hasContent("log1");
    assertThat(snap.resolve("transactions/checkpoint.0")).hasContent("cp");
    SnapshotManifest m = SnapshotManifest.readFrom(snap);
    assertThat(m.formatVersion()).isEqualTo(2);
    assertThat(m.shipped()).extracting(SnapshotManifest.ShippedFile::path).containsExactly(
        "database/neostore", "database/schema/index/range-1.0/1/index-1",
        "transactions/neostore.transaction.db.1", "transactions/checkpoint.0",
        "transactions/tx");
    for (SnapshotManifest.ShippedFile f : m.shipped()) {
      Path file = snap.resolve(f.path());
      assertThat(Files.size(file)).as(f.path()).isEqualTo(f.size());
      CRC32C crc = new CRC32C();
      crc.update(Files.readAllBytes(file));
      assertThat(crc.getValue()).as(f.path()).isEqualTo(f.crc32c());
    }
    assertThat(m.files()).isEqualTo(5);
    assertThat(m.bytes()).isEqualTo(StoreFiles.measure(snap.resolve("database")).bytes()
        + StoreFiles.measure(snap.resolve("transactions")).bytes()).isLessThan(100);

    Member b = new Member("b", DB_ID);
    b.snapshots.install(snap, 3);
    assertThat(b.transactionLogsDirectory().resolve("neostore.transaction.db.1"))
        .hasContent("log1");
    assertThat(b.transactionLogsDirectory().resolve("neostore.transaction.db.0")).doesNotExist();
    assertThat(b.machine.lastAppliedIndex()).isEqualTo(3);
  }

  @Test
  void aLogRangeOutsideTheLogsOrPastTheWrittenFileFailsTheWrite() throws Exception {
    Member a = leaderWithPreallocatedLogs();
    Path logs = a.transactionLogsDirectory();
    a.logRanges = List.of(new StoreAccess.LogRange(logs.resolve("checkpoint.0"), (1 << 16) + 1));
    assertThatThrownBy(() -> a.snapshots.write(Files.createDirectories(tmp.resolve("s1"))))
        .isInstanceOf(IOException.class).hasMessageContaining("has 65536 bytes");
    a.logRanges = List.of(new StoreAccess.LogRange(a.databaseDirectory().resolve("neostore"), 1));
    assertThatThrownBy(() -> a.snapshots.write(Files.createDirectories(tmp.resolve("s2"))))
        .isInstanceOf(IOException.class).hasMessageContaining("is not a single file inside");
    assertThat(tmp.resolve("s1").resolve(SnapshotManifest.FILE_NAME)).doesNotExist();
    assertThat(tmp.resolve("s2").resolve(SnapshotManifest.FILE_NAME)).doesNotExist();
  }

  @Test
  void aDamagedOrPaddedSnapshotIsRefusedBeforeTheDatabaseStops() throws Exception {
    Member a = leaderWithPreallocatedLogs();
    Path snap = Files.createDirectories(tmp.resolve("snap"));
    long index = a.snapshots.write(snap);
    Member b = new Member("b", DB_ID);
    b.file(b.databaseDirectory(), "neostore", "b's own");
    Path log = snap.resolve("transactions/neostore.transaction.db.1");

    Files.writeString(log, "LOG1"); // same size, other bytes
    assertThatThrownBy(() -> b.snapshots.install(snap, index))
        .isInstanceOf(IOException.class).hasMessageContaining("damaged")
        .hasMessageContaining("transactions/neostore.transaction.db.1");
    Files.writeString(log, "log1");
    Files.writeString(snap.resolve("transactions/unlisted"), "x");
    assertThatThrownBy(() -> b.snapshots.install(snap, index))
        .isInstanceOf(IOException.class).hasMessageContaining("incomplete");
    assertThat(b.lifecycle).doesNotContain("stop");
    assertThat(b.databaseDirectory().resolve("neostore")).hasContent("b's own");

    Files.delete(snap.resolve("transactions/unlisted"));
    b.snapshots.install(snap, index);
    assertThat(b.databaseDirectory().resolve("neostore")).hasContent("store");
  }

  @Test
  void aFormatOneSnapshotOfAnOlderLeaderStillInstalls() throws Exception {
    Member a = leaderWithData();
    Path snap = Files.createDirectories(tmp.resolve("snap"));
    long index = a.snapshots.write(snap);
    SnapshotManifest v2 = SnapshotManifest.readFrom(snap);
    new SnapshotManifest(1, v2.databaseName(), v2.databaseId(), v2.index(), v2.leaseId(),
        v2.leaseOwner(), v2.lastTxId(), v2.files(), v2.bytes(), List.of()).writeTo(snap);
    Member b = new Member("b", DB_ID);

    b.snapshots.install(snap, index);

    assertThat(b.databaseDirectory().resolve("neostore")).hasContent("store");
    assertThat(b.machine.lastAppliedIndex()).isEqualTo(3);
  }

  @Test
  void installReplacesTheStoreAndAdoptsIndexAndLeaseDurably() throws Exception {
    Member a = leaderWithData();
    Path snap = Files.createDirectories(tmp.resolve("snap"));
    long index = a.snapshots.write(snap);
    Member b = new Member("b", DB_ID);
    b.file(b.databaseDirectory(), "neostore", "b's own");
    b.file(b.databaseDirectory(), "stale-file", "gone after install");
    b.file(b.databaseDirectory(), "database_lock", "b's lock");
    b.file(b.databaseDirectory(), CUT_TAIL_OF_B, "b's own torn tail");

    b.snapshots.install(snap, index);

    assertThat(b.lifecycle).containsSubsequence("stop", "start");
    assertThat(b.databaseDirectory().resolve("neostore")).hasContent("store");
    assertThat(b.databaseDirectory().resolve("stale-file")).doesNotExist();
    assertThat(b.databaseDirectory().resolve("database_lock")).hasContent("b's lock");
    // Neo4j's archive of cut log tails is each member's own: b's stays, a's never came.
    assertThat(b.databaseDirectory().resolve(CUT_TAIL_OF_B)).hasContent("b's own torn tail");
    assertThat(b.databaseDirectory().resolve(CUT_TAIL)).doesNotExist();
    assertThat(b.machine.lastAppliedIndex()).isEqualTo(3);
    assertThat(b.gate.currentLeaseId()).isEqualTo(1);
    assertThat(b.gate.isOpen()).isFalse();
    assertThat(b.allocation).last().isEqualTo(false);
    LeaseState.Snapshot durable = LeaseState.open(b.root.resolve("raft")).current();
    assertThat(durable).isEqualTo(new LeaseState.Snapshot(1, "a", 3));

    // The log after the snapshot: entries up to the index are skipped, the next one applies
    // under the snapshot's lease (a member without it would reject it as stale).
    b.apply(3, tx(1));
    assertThat(b.lastTx.get()).isEqualTo(5);
    b.apply(4, tx(1));
    assertThat(b.lastTx.get()).isEqualTo(6);
    assertThat(b.machine.lastAppliedIndex()).isEqualTo(4);
  }

  @Test
  void anotherDatabaseIdentityIsRefusedAndTheLocalStoreIsUntouched() throws Exception {
    Member a = leaderWithData();
    Path snap = Files.createDirectories(tmp.resolve("snap"));
    long index = a.snapshots.write(snap);
    Member c = new Member("c", UUID.randomUUID());
    c.file(c.databaseDirectory(), "neostore", "c's own");

    assertThatThrownBy(() -> c.snapshots.install(snap, index))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("element ids would differ")
        .hasMessageContaining(DB_ID.toString());
    assertThat(c.lifecycle).doesNotContain("stop");
    assertThat(c.databaseDirectory().resolve("neostore")).hasContent("c's own");
  }

  @Test
  void aSnapshotWithoutManifestOrForAnotherIndexIsRefused() throws Exception {
    Member a = leaderWithData();
    Path snap = Files.createDirectories(tmp.resolve("snap"));
    long index = a.snapshots.write(snap);
    Member b = new Member("b", DB_ID);

    assertThatThrownBy(() -> b.snapshots.install(snap, index + 1))
        .hasMessageContaining("covers index 3");
    Files.delete(snap.resolve(SnapshotManifest.FILE_NAME));
    assertThatThrownBy(() -> b.snapshots.install(snap, index))
        .isInstanceOf(IOException.class).hasMessageContaining("not a complete graft snapshot");
    assertThat(b.lifecycle).doesNotContain("stop");
  }

  @Test
  void aTruncatedSnapshotIsRefusedBeforeTheDatabaseStops() throws Exception {
    Member a = leaderWithData();
    Path snap = Files.createDirectories(tmp.resolve("snap"));
    long index = a.snapshots.write(snap);
    Files.writeString(snap.resolve("database/neostore"), "st");
    Member b = new Member("b", DB_ID);

    b.file(b.databaseDirectory(), "neostore", "b's own");

    assertThatThrownBy(() -> b.snapshots.install(snap, index))
        .isInstanceOf(IOException.class).hasMessageContaining("incomplete");
    assertThat(b.lifecycle).doesNotContain("stop");
    assertThat(b.databaseDirectory().resolve("neostore")).hasContent("b's own");
  }

  @Test
  void aSnapshotCoversTrailingInternalEntriesAsTheRuntimeExpects() throws Exception {
    Member a = leaderWithData();
    a.machine.onInternalEntry(4, 2); // a new leader's no-op: no trace in Neo4j's log
    Path snap = Files.createDirectories(tmp.resolve("snap"));

    long index = a.snapshots.write(snap);

    assertThat(index).isEqualTo(4);
    Member b = new Member("b", DB_ID);
    b.snapshots.install(snap, index);
    assertThat(b.machine.lastAppliedIndex()).isEqualTo(4);
    assertThat(LeaseState.open(b.root.resolve("raft")).current().raftIndex()).isEqualTo(4);
  }

  @Test
  void anInterruptedInstallMakesTheMemberRefuseToStartUntilItsStoreIsReset() throws Exception {
    Member a = leaderWithData();
    Path snap = Files.createDirectories(tmp.resolve("snap"));
    long index = a.snapshots.write(snap);
    Member b = new Member("b", DB_ID);
    b.failStart = true;

    assertThatThrownBy(() -> b.snapshots.install(snap, index))
        .hasMessageContaining("did not start");

    assertThatThrownBy(() -> new LeaseFencing("b", LeaseState.open(b.root.resolve("raft")),
        new WriteGate()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("snapshot install at index 3 was interrupted")
        .hasMessageContaining("snapshot-install-pending");

    b.failStart = false;
    b.snapshots.install(snap, index); // a retry of the same install completes and clears it
    assertThat(LeaseState.open(b.root.resolve("raft")).installPending()).isEmpty();
  }
}
