package io.graft.raft.sim;

import io.graft.raft.message.Envelope;

/** Everything that can happen at one instant of virtual time. */
sealed interface SimEvent {
  /** A member's clock ticks; stale once the member restarted (another incarnation). */
  record Tick(int member, int incarnation) implements SimEvent {}

  /** A message arrives at {@code to} (if the link and the receiver are still up). */
  record Deliver(int from, int to, Envelope envelope) implements SimEvent {}

  /** The client proposes payloads to whoever looks like the leader. */
  record Propose() implements SimEvent {}

  /** The fault injector picks and applies a network or process fault. */
  record Fault() implements SimEvent {}

  /**
   * A slow disk gets to a member's queued fsync work (the runtime's sync side; ignored after a
   * crash).
   */
  record DiskRun(int member, int incarnation, Runnable task) implements SimEvent {
    @Override
    public String toString() {
      return "DiskRun[member=" + member + ", incarnation=" + incarnation + "]";
    }
  }

  /**
   * {@code member} notices that its connection to {@code lost} closed (it crashed: a killed
   * process's connections close at once); ignored after {@code member} restarted.
   */
  record PeerLost(int member, int incarnation, int lost) implements SimEvent {}

  /** A crashed member comes back from its durable state. */
  record Restart(int member) implements SimEvent {}

  /** A random live member takes a snapshot at its applied index and compacts its log. */
  record Compact() implements SimEvent {}

  /**
   * A snapshot received by {@code member} (from {@code leader}) is installed: state machine, log,
   * then the protocol (ignored after a crash: the leader sends it again).
   */
  record InstallSnapshot(int member, int incarnation, long index, long term, int leader)
      implements SimEvent {}
}
