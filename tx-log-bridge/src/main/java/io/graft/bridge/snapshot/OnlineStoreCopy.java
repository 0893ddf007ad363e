package io.graft.bridge.snapshot;

import io.graft.bridge.snapshot.SnapshotManifest.ShippedFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A consistent copy of one RUNNING Neo4j database without stopping its writes: the protocol of
 * Neo4j's own online backup and store copy. A checkpoint is forced and further checkpoints are
 * held off; the store files are copied while transactions keep committing (a page may be caught
 * half-way through a later transaction); then a boundary is chosen: the append position right
 * after the last transaction to include, taken where no transaction is being appended or applied
 * (for the replicated database: between two applies of graft's state machine). Every transaction
 * whose effects can be in the copied store files committed before that boundary. The transaction
 * log is copied from the checkpoint up to the boundary; Neo4j's recovery on the copy replays it
 * (record-level commands are idempotent after-images), which repairs whatever the store files
 * caught half-way and ends exactly at the boundary's transaction.
 *
 * <p>The copy lands in {@code <dataRoot>/databases/<db>} and {@code <dataRoot>/transactions/<db>},
 * Neo4j's own layout of a {@code data/} folder, so a server can start on {@code dataRoot}.
 */
public final class OnlineStoreCopy {
  static final String DATABASES = "databases";
  static final String TRANSACTIONS = "transactions";
  private static final long PROGRESS_BYTES = 256L << 20;
  private static final long PROGRESS_NANOS = 10_000_000_000L;

  /**
   * Where to stop: the log position right after the last transaction to include, and what the
   * caller records about that moment (for the replicated database: its applied index and lease).
   */
  public record Boundary<S>(OnlineStore.LogEnd end, S state) {}

  /** What was copied: the caller's state at the boundary and every file with size and CRC32C. */
  public record Copied<S>(S state, List<ShippedFile> files) {
    public long bytes() {
      return files.stream().mapToLong(ShippedFile::size).sum();
    }
  }

  /** Chooses the boundary, after the store files are copied. */
  @FunctionalInterface
  public interface BoundaryChooser<S> {
    Boundary<S> choose() throws IOException;
  }

  private OnlineStoreCopy() {}

  public static <S> Copied<S> copy(OnlineStore store, Path dataRoot,
      BoundaryChooser<S> boundary, Consumer<String> progress) throws IOException {
    String db = store.databaseName();
    Path dbTarget = dataRoot.resolve(DATABASES).resolve(db);
    Path logTarget = dataRoot.resolve(TRANSACTIONS).resolve(db);
    return store.holdingCheckpoint(() -> {
      Progress p = new Progress(db, progress);
      List<ShippedFile> files = new ArrayList<>(
          copyTree(store.databaseDirectory(), dbTarget, DATABASES + "/" + db, p));
      Boundary<S> at = boundary.choose();
      files.addAll(copyLogs(store, at.end(), logTarget, TRANSACTIONS + "/" + db, p));
      return new Copied<>(at.state(), files);
    });
  }

  /** Every regular file under {@code from} but StoreFiles.localOnly ones, with progress lines. */
  private static List<ShippedFile> copyTree(Path from, Path to, String prefix, Progress p)
      throws IOException {
    Files.createDirectories(to);
    List<ShippedFile> shipped = new ArrayList<>();
    List<Path> sources;
    try (Stream<Path> walk = Files.walk(from)) {
      sources = walk.sorted().toList();
    }
    for (Path source : sources) {
      if (StoreFiles.localOnly(from, source)) {
        continue;
      }
      String relative = StoreFiles.relative(from, source);
      Path target = to.resolve(relative);
      if (Files.isDirectory(source)) {
        Files.createDirectories(target);
      } else if (Files.isRegularFile(source)) {
        // The file may grow while it is copied: copy what it holds now, and record that.
        long length = Files.size(source);
        long crc = StoreFiles.copyPrefix(source, target, length);
        shipped.add(new ShippedFile(prefix + "/" + relative, length, crc));
        p.copied(length);
      }
    }
    return shipped;
  }

  private static List<ShippedFile> copyLogs(OnlineStore store, OnlineStore.LogEnd end,
      Path target, String prefix, Progress p) throws IOException {
    Path logs = store.transactionLogsDirectory().toAbsolutePath().normalize();
    Files.createDirectories(target);
    List<ShippedFile> shipped = new ArrayList<>();
    Set<Path> seen = new HashSet<>();
    for (StoreAccess.LogRange range : store.transactionLogsUpTo(end)) {
      Path file = range.file().toAbsolutePath().normalize();
      if (!file.startsWith(logs) || file.equals(logs) || !seen.add(file)) {
        throw new IOException("graft: transaction log " + range.file() + " is not a single"
            + " file inside " + logs);
      }
      String relative = StoreFiles.relative(logs, file);
      long crc = StoreFiles.copyPrefix(file, target.resolve(relative), range.length());
      shipped.add(new ShippedFile(prefix + "/" + relative, range.length(), crc));
      p.copied(range.length());
    }
    return shipped;
  }

  /** Progress lines for large stores: every 256 MiB or 10 s. */
  private static final class Progress {
    private final String db;
    private final Consumer<String> sink;
    private final long began = System.nanoTime();
    private long bytes;
    private long reportedBytes;
    private long reportedAt = began;

    Progress(String db, Consumer<String> sink) {
      this.db = db;
      this.sink = sink;
    }

    void copied(long more) {
      bytes += more;
      long now = System.nanoTime();
      if (bytes - reportedBytes >= PROGRESS_BYTES || now - reportedAt >= PROGRESS_NANOS) {
        reportedBytes = bytes;
        reportedAt = now;
        sink.accept(String.format("graft: copying '%s': %d MiB so far (%d s)", db,
            bytes >> 20, (now - began) / 1_000_000_000L));
      }
    }
  }
}
