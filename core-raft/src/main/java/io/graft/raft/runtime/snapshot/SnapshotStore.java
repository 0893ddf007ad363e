package io.graft.raft.runtime.snapshot;

import io.graft.raft.api.RaftLogging;
import io.graft.raft.api.SnapshotSupport;
import io.graft.raft.storage.FileSync;
import io.graft.raft.storage.StorageException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;

/**
 * The snapshots of one member under {@code <dataDir>/snapshots/}: complete ones in {@code
 * <index>-<term>/} (manifest + {@code files/}), downloads in progress in {@code
 * partial-<index>-<term>/}, snapshots being written in {@code tmp-<n>/}. A snapshot becomes visible
 * by one atomic rename after its files and manifest are durable, so a crash leaves either no
 * snapshot or a complete one. Only the newest complete snapshot is kept.
 *
 * <p>Threading: safe for the apply thread (take, install), the snapshot thread (send, receive) and
 * the owner thread (newest) at once; directory changes are serialized on this object.
 */
public final class SnapshotStore {
  private static final Pattern COMPLETE = Pattern.compile("(\\d+)-(\\d+)");
  private static final Pattern PARTIAL = Pattern.compile("partial-(\\d+)-(\\d+)");
  private final Logger log;
  private final Path root;
  private final AtomicLong tmpCounter = new AtomicLong();

  public SnapshotStore(Path root, RaftLogging logging) {
    this.log = logging.logger(SnapshotStore.class);
    this.root = root;
    FileSync.createDirectories(root);
    // Left by a crash while a snapshot was being written: never complete, never needed.
    for (Path dir : children(Pattern.compile("tmp-.*"))) {
      try {
        SnapshotFiles.deleteTree(dir);
      } catch (IOException e) {
        throw new StorageException("cannot delete unfinished snapshot " + dir, e);
      }
    }
  }

  public Path root() {
    return root;
  }

  /** The newest complete snapshot (valid manifest), if any. */
  public synchronized Optional<LocalSnapshot> newest() {
    LocalSnapshot best = null;
    for (Path dir : children(COMPLETE)) {
      Optional<LocalSnapshot> s = read(dir);
      if (s.isPresent() && (best == null || s.get().index() > best.index())) {
        best = s.get();
      }
    }
    return Optional.ofNullable(best);
  }

  /** The complete snapshot at exactly (index, term), if present. */
  public synchronized Optional<LocalSnapshot> find(long index, long term) {
    Path dir = root.resolve(index + "-" + term);
    return Files.isDirectory(dir) ? read(dir) : Optional.empty();
  }

  /**
   * Takes a snapshot through the application (on the apply thread, between two applies): an empty
   * directory, {@link SnapshotSupport#write}, a CRC32C per file, the manifest, fsync, rename.
   *
   * @param expectedIndex the applied index at this moment; write() must report exactly it
   * @param term the term of the entry at expectedIndex
   * @param configuration the encoded configuration as of expectedIndex
   */
  public LocalSnapshot take(SnapshotSupport support, long expectedIndex, long term,
      byte[] configuration) throws Exception {
    return take(support, index -> {
      if (index != expectedIndex) {
        throw new IllegalStateException("SnapshotSupport.write reported index " + index
            + " but the applied index is " + expectedIndex);
      }
      return new Meta(term, configuration);
    });
  }

  /** The term and encoded configuration of the entry a snapshot covers, known from its index. */
  public record Meta(long term, byte[] configuration) {}

  /** What the runtime knows about an applied index (a snapshot thread asks, see below). */
  @FunctionalInterface
  public interface MetaAt {
    /** @throws Exception if the index cannot be described (then no snapshot is published) */
    Meta at(long index) throws Exception;
  }

  /**
   * Takes a snapshot whose index the application chooses ({@link
   * SnapshotSupport#writesWhileApplying}: {@code write} runs on a snapshot thread and reports the
   * index it covers); the term and configuration at that index come from {@code metaAt}.
   */
  public LocalSnapshot take(SnapshotSupport support, MetaAt metaAt) throws Exception {
    Path tmp = root.resolve("tmp-" + System.nanoTime() + "-" + tmpCounter.incrementAndGet());
    Path files = tmp.resolve(LocalSnapshot.FILES);
    Files.createDirectories(files);
    try {
      long index = support.write(files);
      Meta meta = metaAt.at(index);
      List<SnapshotManifest.FileEntry> entries = new ArrayList<>();
      for (String path : SnapshotFiles.list(files)) {
        Path file = files.resolve(path);
        entries.add(new SnapshotManifest.FileEntry(path, Files.size(file),
            SnapshotFiles.crc32c(file)));
      }
      SnapshotManifest manifest =
          new SnapshotManifest(index, meta.term(), meta.configuration(), entries);
      Files.write(tmp.resolve(LocalSnapshot.MANIFEST), manifest.encode());
      return publish(tmp, manifest);
    } finally {
      SnapshotFiles.deleteTree(tmp);
    }
  }

  /**
   * Makes {@code dir} (files + manifest already written) the complete snapshot {@code
   * <index>-<term>}: fsync everything, rename atomically, fsync the root, delete older snapshots
   * and partial downloads it supersedes.
   */
  synchronized LocalSnapshot publish(Path dir, SnapshotManifest manifest) throws IOException {
    Path target = root.resolve(manifest.index() + "-" + manifest.term());
    if (Files.isDirectory(target) && read(target).isPresent()) {
      return read(target).get(); // taken twice at one index: keep the first
    }
    SnapshotFiles.deleteTree(target);
    SnapshotFiles.forceTree(dir);
    Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
    FileSync.forceDirectory(root);
    LocalSnapshot snapshot = new LocalSnapshot(target, manifest);
    deleteSupersededBy(snapshot.index());
    log.info("graft snapshot complete: {} in {}", manifest, target);
    return snapshot;
  }

  /** The partial download directory for (index, term), created if needed. */
  synchronized Path partialDirectory(long index, long term) throws IOException {
    Path dir = root.resolve("partial-" + index + "-" + term);
    Files.createDirectories(dir);
    return dir;
  }

  /** Deletes every partial download except (index, term). */
  synchronized void deletePartialsExcept(long index, long term) throws IOException {
    for (Path dir : children(PARTIAL)) {
      if (!dir.getFileName().toString().equals("partial-" + index + "-" + term)) {
        SnapshotFiles.deleteTree(dir);
      }
    }
  }

  private void deleteSupersededBy(long index) throws IOException {
    for (Path dir : children(COMPLETE)) {
      if (indexOf(dir, COMPLETE) < index) {
        SnapshotFiles.deleteTree(dir);
      }
    }
    for (Path dir : children(PARTIAL)) {
      if (indexOf(dir, PARTIAL) <= index) {
        SnapshotFiles.deleteTree(dir);
      }
    }
  }

  private static long indexOf(Path dir, Pattern pattern) {
    Matcher m = pattern.matcher(dir.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  private Optional<LocalSnapshot> read(Path dir) {
    try {
      SnapshotManifest manifest =
          SnapshotManifest.decode(Files.readAllBytes(dir.resolve(LocalSnapshot.MANIFEST)));
      if (!dir.getFileName().toString().equals(manifest.index() + "-" + manifest.term())) {
        return Optional.empty();
      }
      return Optional.of(new LocalSnapshot(dir, manifest));
    } catch (IOException e) {
      return Optional.empty(); // not a complete snapshot
    }
  }

  private List<Path> children(Pattern pattern) {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(root)) {
      for (Path p : stream) {
        if (Files.isDirectory(p) && pattern.matcher(p.getFileName().toString()).matches()) {
          out.add(p);
        }
      }
    } catch (IOException e) {
      throw new StorageException("cannot list snapshots in " + root, e);
    }
    return out;
  }
}
