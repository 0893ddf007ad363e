package io.graft.raft.runtime.snapshot;

import java.nio.file.Path;

/**
 * A complete snapshot on local disk: {@code <dataDir>/snapshots/<index>-<term>/manifest} and the
 * application's files under {@code files/}.
 */
public record LocalSnapshot(Path directory, SnapshotManifest manifest) {
  static final String MANIFEST = "manifest";
  static final String FILES = "files";

  public long index() {
    return manifest.index();
  }

  public long term() {
    return manifest.term();
  }

  /** The directory handed to {@code SnapshotSupport.write/install}. */
  public Path filesDirectory() {
    return directory.resolve(FILES);
  }
}
