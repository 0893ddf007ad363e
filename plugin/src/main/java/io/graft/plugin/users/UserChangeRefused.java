package io.graft.plugin.users;

import org.neo4j.kernel.api.exceptions.Status;

/**
 * Why a security command did not commit. Thrown from the system database's {@code beforeCommit}:
 * Neo4j rolls the transaction back and hands the client this status and message
 * (TransactionEventListeners keeps a {@link Status.HasStatus} cause's status).
 */
final class UserChangeRefused extends RuntimeException implements Status.HasStatus {
  private final Status status;

  UserChangeRefused(Status status, String message) {
    super(message);
    this.status = status;
  }

  UserChangeRefused(Status status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  @Override
  public Status status() {
    return status;
  }
}
