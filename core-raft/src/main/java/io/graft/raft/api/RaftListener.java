package io.graft.raft.api;

/** Notified of role and leader changes, in the order they happened. Must not block for long. */
public interface RaftListener {
  void onRoleChange(RaftStatus status);
}
