package io.graft.bridge.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** File-tree copy and removal for store copies; Neo4j's lock files never travel. */
final class StoreFiles {
  /** Held by the running database; each member has its own. */
  static final Set<String> LOCAL_ONLY = Set.of("database_lock", "store_lock");

  private StoreFiles() {}

  /** What a copy moved: regular files and their total size. */
  record Copied(long files, long bytes) {
    Copied plus(Copied other) {
      return new Copied(files + other.files, bytes + other.bytes);
    }
  }

  static Copied copyTree(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    if (!Files.isDirectory(from)) {
      return new Copied(0, 0);
    }
    long files = 0;
    long bytes = 0;
    List<Path> sources;
    try (Stream<Path> walk = Files.walk(from)) {
      sources = walk.sorted().toList();
    }
    for (Path source : sources) {
      if (LOCAL_ONLY.contains(source.getFileName().toString())) {
        continue;
      }
      Path target = to.resolve(from.relativize(source).toString());
      if (Files.isDirectory(source)) {
        Files.createDirectories(target);
      } else if (Files.isRegularFile(source)) {
        Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        files++;
        bytes += Files.size(target);
      }
    }
    return new Copied(files, bytes);
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

  /** Deletes everything under {@code dir} except the lock files; keeps {@code dir} itself. */
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
      if (LOCAL_ONLY.contains(p.getFileName().toString())) {
        continue;
      }
      if (Files.isDirectory(p)) {
        try (Stream<Path> rest = Files.list(p)) {
          if (rest.findAny().isPresent()) {
            continue; // still holds a lock file
          }
        }
      }
      Files.delete(p);
    }
  }
}
