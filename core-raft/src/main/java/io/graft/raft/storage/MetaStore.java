package io.graft.raft.storage;

import io.graft.raft.protocol.HardState;

/**
 * Durable term, vote and commit hint. {@link #save} is atomic (never a torn mix of old and new) and
 * durable when it returns: Raft relies on it before granting a vote or sending a RequestVote.
 */
public interface MetaStore extends AutoCloseable {

  HardState load();

  void save(HardState state);

  @Override
  void close();
}
