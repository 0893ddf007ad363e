package io.graft.raft.sim;

import io.graft.raft.runtime.ReadyDriver;

/** Thrown by a member's crash hook inside the runtime: the simulation then crashes the member. */
final class SimCrash extends RuntimeException {
  final ReadyDriver.CrashPoint point;

  SimCrash(ReadyDriver.CrashPoint point) {
    super("armed crash at " + point, null, false, false);
    this.point = point;
  }
}
