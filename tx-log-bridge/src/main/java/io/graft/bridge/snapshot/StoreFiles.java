package io.graft.bridge.snapshot;

import io.graft.bridge.snapshot.SnapshotManifest.ShippedFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * File copy and removal for store copies: whole trees (the store files), file prefixes (a
 * transaction log up to its written end), each with its CRC32C; Neo4j's lock files and its archive
 * of cut log tails never travel ({@link #localOnly}).
 */
final class StoreFiles {
  /** Held by the running database; each member has its own. */
  static final Set<String> LOCAL_ONLY = Set.of("database_lock", "store_lock");
  /**
   * The folder of the database directory where Neo4j's recovery keeps the bytes it cut after the
   * last complete entry of this member's transaction log (a torn tail after a crash): this
   * member's own evidence, neither shipped to another member nor deleted by an install.
   */
  static final String CUT_LOG_TAILS = "corrupted-neostore.transaction.db";
  private static final int BUFFER_BYTES = 1 << 20;

  private StoreFiles() {}

  /**
   * Whether {@code path} under {@code root} belongs to this member alone: a lock file, or the
   * folder of cut log tails and what it holds.
   */
  static boolean localOnly(Path root, Path path) {
    if (LOCAL_ONLY.contains(path.getFileName().toString())) {
      return true;
    }
    for (Path name : root.relativize(path)) {
      if (name.toString().equals(CUT_LOG_TAILS)) {
        return true;
      }
    }
    return false;
  }

  /** What a copy moved: regular files and their total size. */
  record Copied(long files, long bytes) {
    Copied plus(Copied other) {
      return new Copied(files + other.files, bytes + other.bytes);
    }

    static Copied of(List<ShippedFile> shipped) {
      return new Copied(shipped.size(), shipped.stream().mapToLong(ShippedFile::size).sum());
    }
  }

  /**
   * Copies a member's live database directory into a snapshot: every regular file under {@code
   * from} but {@link #localOnly} ones, named {@code prefix/<path relative to from>}.
   */
  static List<ShippedFile> copyStore(Path from, Path to, String prefix) throws IOException {
    return copyTree(from, to, prefix, p -> localOnly(from, p));
  }

  /**
   * Copies every regular file under {@code from} (lock files excluded) to {@code to}, e.g. a
   * snapshot's files into place (a snapshot written before {@link #CUT_LOG_TAILS} stayed home may
   * hold that folder: it is listed in its manifest and installed with the rest); the returned
   * entries name each file as {@code prefix/<path relative to from>}.
   */
  static List<ShippedFile> copyTree(Path from, Path to, String prefix) throws IOException {
    return copyTree(from, to, prefix, p -> LOCAL_ONLY.contains(p.getFileName().toString()));
  }

  private static List<ShippedFile> copyTree(Path from, Path to, String prefix,
      Predicate<Path> skip) throws IOException {
    Files.createDirectories(to);
    List<ShippedFile> shipped = new ArrayList<>();
    if (!Files.isDirectory(from)) {
      return shipped;
    }
    List<Path> sources;
    try (Stream<Path> walk = Files.walk(from)) {
      sources = walk.sorted().toList();
    }
    for (Path source : sources) {
      if (skip.test(source)) {
        continue;
      }
      String relative = relative(from, source);
      Path target = to.resolve(relative);
      if (Files.isDirectory(source)) {
        Files.createDirectories(target);
      } else if (Files.isRegularFile(source)) {
        OptionalLong crc = copyLive(source, target);
        if (crc.isPresent()) {
          shipped.add(new ShippedFile(prefix + "/" + relative, Files.size(target),
              crc.getAsLong()));
        }
      }
    }
    return shipped;
  }

  /**
   * Copies a store file that the running database may change meanwhile (a snapshot written while
   * applying): what it holds when read; a file that vanished since the walk (a temporary file of
   * an index, say) is left out; one that shrank is copied again at its new size. @return its
   * CRC32C, or empty if it vanished
   */
  private static OptionalLong copyLive(Path source, Path target) throws IOException {
    for (int attempt = 0; ; attempt++) {
      try {
        return OptionalLong.of(copyPrefix(source, target, Files.size(source)));
      } catch (NoSuchFileException e) {
        Files.deleteIfExists(target);
        return OptionalLong.empty();
      } catch (IOException e) {
        if (attempt >= 2 || !Files.exists(source)) {
          throw e;
        }
      }
    }
  }

  /**
   * Copies the first {@code length} bytes of {@code source} to {@code target} (replacing it) and
   * returns their CRC32C. Fails if the source is shorter: the caller was told about bytes that
   * are not there.
   */
  static long copyPrefix(Path source, Path target, long length) throws IOException {
    Files.createDirectories(target.getParent());
    CRC32C crc = new CRC32C();
    ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
    try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
        FileChannel out = FileChannel.open(target, StandardOpenOption.WRITE,
            StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
      long done = 0;
      while (done < length) {
        buffer.clear().limit((int) Math.min(buffer.capacity(), length - done));
        int read = in.read(buffer, done);
        if (read < 0) {
          throw new IOException(source + " ends at " + done + " bytes, " + length
              + " were to be copied");
        }
        buffer.flip();
        crc.update(buffer.duplicate());
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
        done += read;
      }
    }
    return crc.getValue();
  }

  /** The CRC32C of a whole file. */
  static long checksum(Path file) throws IOException {
    CRC32C crc = new CRC32C();
    ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      while (in.read(buffer.clear()) >= 0) {
        crc.update(buffer.flip());
      }
    }
    return crc.getValue();
  }

  /** {@code file}'s path below {@code dir} with '/' separators (manifest paths travel). */
  static String relative(Path dir, Path file) {
    return dir.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
  }

  /** Counts the regular files under {@code dir} and their total size (lock files excluded). */
  static Copied measure(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return new Copied(0, 0);
    }
    long files = 0;
    long bytes = 0;
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (Files.isRegularFile(p) && !LOCAL_ONLY.contains(p.getFileName().toString())) {
          files++;
          bytes += Files.size(p);
        }
      }
    }
    return new Copied(files, bytes);
  }

  /** Deletes everything under {@code dir} but {@link #localOnly} files; keeps {@code dir}. */
  static void clear(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    List<Path> all;
    try (Stream<Path> walk = Files.walk(dir)) {
      all = walk.filter(p -> !p.equals(dir))
          .sorted(Comparator.comparingInt(Path::getNameCount).reversed())
          .toList();
    }
    for (Path p : all) {
      if (localOnly(dir, p)) {
        continue;
      }
      if (Files.isDirectory(p)) {
        try (Stream<Path> rest = Files.list(p)) {
          if (rest.findAny().isPresent()) {
            continue; // still holds a local-only file
          }
        }
      }
      Files.delete(p);
    }
  }
}
