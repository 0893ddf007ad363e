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
   * Whether {@link #write} may run on a snapshot thread of its own while entries keep being
   * applied (a large state, like a database copy, then never stalls the apply thread). Such a
   * write chooses its own cut: at one moment between two applies (two {@code applyBatch} or
   * {@code onInternalEntry} calls) it fixes the applied index it covers, which it returns; the
   * runtime takes the term and configuration of that index from what it applied. The runtime
   * runs one such write at a time and never installs a snapshot while one runs. Default: false
   * ({@code write} on the apply thread, between two applies).
   */
  default boolean writesWhileApplying() {
    return false;
  }

  /**
   * Replaces the whole state by the snapshot in {@code directory}, which covers {@code index}.
   * Afterwards {@link StateMachine#lastAppliedIndex()} returns {@code index}. A failure is fatal
   * (the node stops rather than run on a half-installed state); it must leave the previous state or
   * a state that a retry of the same install can replace.
   */
  void install(Path directory, long index) throws Exception;
}
