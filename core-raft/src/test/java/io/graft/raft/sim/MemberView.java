package io.graft.raft.sim;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Role;

/** What the {@link SafetyChecker} reads of one member after an event. */
public interface MemberView {
  int index();

  MemberId id();

  /** False while crashed; the other accessors are then not called (except {@link #store}). */
  boolean alive();

  Role role();

  long term();

  long commitIndex();

  /** The machine's own idea of its last log index (must match the store once a Ready is done). */
  long machineLastIndex();

  /**
   * True while the member's last Ready is still being persisted: its store then lags its machine
   * (and may still hold entries the Ready will truncate), so the log checks wait for the disk.
   */
  boolean diskBusy();

  SimLogStore store();
}
