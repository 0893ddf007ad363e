package io.graft.raft.sim;

/** A broken Raft safety or liveness property, detected by the simulator's checks. */
public final class SafetyViolation extends RuntimeException {
  public SafetyViolation(String message) {
    super(message);
  }
}
