package io.graft.raft.api;

import java.nio.file.Path;

/**
 * Snapshots of a {@link StateMachine} whose state is a set of files the application produces
 * (graft's is a Neo4j store copy). With snapshots the runtime may compact the log prefix, and a
 * member that is new or behind the compacted log catches up by receiving a snapshot, then the log
 * tail.
 *
 * <p>The runtime owns everything around the files: it creates an empty directory, calls
 * {@link #write}, records the snapshot's index, term and configuration beside the files with a
 * CRC32C per file, streams them to a follower in checksummed chunks (resumable after a broken
 * connection), verifies them on arrival, and only then calls {@link #install}. Both methods run on
 * the apply thread, between two applies: no {@link StateMachine#apply} runs concurrently.
 */
public interface SnapshotSupport {

  /**
   * Writes a consistent snapshot of the current state into {@code directory} (empty, created by the
   * runtime) as regular files, possibly in subdirectories.
   *
   * @return the index the snapshot covers: {@link StateMachine#lastAppliedIndex()} at that moment
   */
  long write(Path directory) throws Exception;

  /**
   * Replaces the whole state by the snapshot in {@code directory}, which covers {@code index}.
   * Afterwards {@link StateMachine#lastAppliedIndex()} returns {@code index}. A failure is fatal
   * (the node stops rather than run on a half-installed state); it must leave the previous state or
   * a state that a retry of the same install can replace.
   */
  void install(Path directory, long index) throws Exception;
}
