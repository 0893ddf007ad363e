package io.graft.raft.message;

import io.graft.raft.api.MemberId;

/**
 * One chunk of a snapshot (thesis §5.3 InstallSnapshot, chunked). {@code lastIncludedIndex} /
 * {@code lastIncludedTerm} identify the snapshot; {@code configuration} is the encoded membership as
 * of lastIncludedIndex; chunks are sent at increasing {@code offset}; {@code done} marks the last one.
 * {@code crc32c} covers {@code data}.
 */
public record InstallSnapshot(
    MemberId from,
    long term,
    long lastIncludedIndex,
    long lastIncludedTerm,
    byte[] configuration,
    long offset,
    byte[] data,
    int crc32c,
    boolean done)
    implements RaftMessage {
  @Override
  public <R> R accept(Handler<R> handler) {
    return handler.onInstallSnapshot(this);
  }
}
