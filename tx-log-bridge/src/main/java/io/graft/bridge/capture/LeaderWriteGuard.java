package io.graft.bridge.capture;

import java.util.function.Supplier;
import org.neo4j.dbms.database.readonly.DatabaseReadOnlyChecker;
import org.neo4j.graphdb.WriteOperationsNotAllowedException;
import org.neo4j.kernel.api.exceptions.Status;
import org.neo4j.kernel.impl.factory.AccessCapability;
import org.neo4j.kernel.impl.factory.AccessCapabilityFactory;

/**
 * Swapped into {@code KernelTransactions.readOnlyDatabaseChecker} and {@code
 * accessCapabilityFactory} so a write on a member that is not the leader with a current lease fails
 * with {@code Neo.ClientError.Cluster.NotALeader} in {@code
 * KernelTransactionImplementation.txState()}, BEFORE any node or relationship id is reserved
 * (docs/NEO4J-INTERNALS.md §4 rule 2, §5). Checking only at commit would be too late: the rollback
 * would then mark reserved ids unallocated on a follower.
 *
 * <p>Kernel transactions are pooled and keep the objects they were built with, so both views are
 * dynamic: they consult the {@link WriteGate} on every call.
 */
public final class LeaderWriteGuard implements DatabaseReadOnlyChecker, AccessCapabilityFactory {
  private final WriteGate gate;
  private final String databaseName;
  private final AccessCapability capability = this::assertCanWrite;
  /** Where writes should go instead, for the message; null = the generic advice. */
  private volatile Supplier<String> advice = () -> null;

  public LeaderWriteGuard(WriteGate gate, String databaseName) {
    this.gate = gate;
    this.databaseName = databaseName;
  }

  /**
   * Tells the NotALeader message where writes should go instead (the leader, or that none is
   * known because an election runs or a majority is down); set once the Raft member exists.
   */
  public void setWriteAdvice(Supplier<String> advice) {
    this.advice = advice;
  }

  @Override
  public boolean isReadOnly() {
    return !gate.isOpen();
  }

  @Override
  public void check() {
    assertCanWrite();
  }

  @Override
  public AccessCapability newAccessCapability(DatabaseReadOnlyChecker ignored) {
    return capability;
  }

  private void assertCanWrite() {
    if (!gate.isOpen()) {
      throw notALeader(databaseName, currentAdvice());
    }
  }

  private String currentAdvice() {
    try {
      return advice.get();
    } catch (RuntimeException e) {
      // The message is best effort; refusing the write is what matters.
      return null;
    }
  }

  static WriteOperationsNotAllowedException notALeader(String databaseName) {
    return notALeader(databaseName, null);
  }

  static WriteOperationsNotAllowedException notALeader(String databaseName, String advice) {
    return new WriteOperationsNotAllowedException(
        "No write operations are allowed on database '"
            + databaseName
            + "' on this member: it is not the Raft leader (or its leader lease is not yet"
            + " applied). "
            + (advice == null ? "Send writes to the leader; a neo4j:// driver routes them there."
                : advice),
        Status.Cluster.NotALeader);
  }
}
