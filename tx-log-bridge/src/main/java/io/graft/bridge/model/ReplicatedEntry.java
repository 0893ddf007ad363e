package io.graft.bridge.model;

/**
 * One application entry in the Raft log of the replicated database. Every member applies the same
 * sequence of entries in log order (Raft §5.3 / State Machine Safety), so the kinds below are
 * interpreted identically everywhere.
 */
public sealed interface ReplicatedEntry permits TxEntry, LeaseEntry, NoOpEntry, UsersEntry {

  <R> R accept(Visitor<R> visitor) throws Exception;

  /** Dispatch without pattern switch (Java 17); adding a kind breaks every unhandled site. */
  interface Visitor<R> {
    R visitTx(TxEntry entry) throws Exception;

    R visitLease(LeaseEntry entry) throws Exception;

    R visitNoOp(NoOpEntry entry) throws Exception;

    R visitUsers(UsersEntry entry) throws Exception;
  }
}
