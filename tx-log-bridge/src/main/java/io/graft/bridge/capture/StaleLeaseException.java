package io.graft.bridge.capture;

/** A transaction entry reached the log under a lease that is no longer current: rejected. */
public class StaleLeaseException extends Exception {
  public StaleLeaseException(String message) {
    super(message);
  }
}
