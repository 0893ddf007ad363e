package io.graft.it.workload;

import org.neo4j.driver.exceptions.ClientException;
import org.neo4j.driver.exceptions.TransientException;

/**
 * Classifies what a failed driver call means for the history. A statement error is a bug in the
 * workload itself and must surface as a problem; anything else (unavailable member, session
 * expired, NotALeader during failover, timeouts, retries exhausted) leaves the operation's effect
 * unknown: it may or may not have committed.
 */
final class OpOutcome {

  private OpOutcome() {
  }

  static boolean isWorkloadBug(Exception e) {
    return e instanceof ClientException && !(e instanceof TransientException)
        && ((ClientException) e).code() != null
        && ((ClientException) e).code().startsWith("Neo.ClientError.Statement");
  }

  static String describe(Exception e) {
    String msg = e.getMessage() == null ? "" : e.getMessage();
    return e.getClass().getSimpleName() + ": " + msg.substring(0, Math.min(120, msg.length()));
  }
}
