package io.graft.bridge.capture;

import io.graft.bridge.codec.EntryTooLargeException;
import io.graft.bridge.codec.SubjectCodec;
import io.graft.bridge.codec.TxEntryWriter;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.Membership;
import io.graft.raft.api.NotLeaderException;
import io.graft.raft.api.ProposalDroppedException;
import io.graft.raft.api.ProposalRejectedException;
import io.graft.raft.api.RaftNode;
import io.graft.raft.api.RaftShutdownException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.neo4j.internal.kernel.api.exceptions.TransactionFailureException;
import org.neo4j.kernel.api.exceptions.Status;
import org.neo4j.kernel.impl.api.TransactionCommitProcess;
import org.neo4j.kernel.impl.transaction.tracing.TransactionWriteEvent;
import org.neo4j.logging.InternalLog;
import org.neo4j.storageengine.api.CommandBatch;
import org.neo4j.storageengine.api.StorageCommand;
import org.neo4j.storageengine.api.StorageEngineTransaction;
import org.neo4j.storageengine.api.TransactionApplicationMode;

/**
 * Swapped into {@code KernelTransactions.transactionCommitProcess}: a kernel transaction's command
 * batch (constraints already checked, commands created) goes into the Raft log instead of Neo4j's
 * transaction log. The committing thread keeps its kernel locks and waits until the LOCAL state
 * machine has applied the entry in log order, then returns the tx id that apply produced
 * (docs/NEO4J-INTERNALS.md §2.4 (a)(b); the 3.x ReplicatedTransactionCommitProcess pattern).
 * Nothing reaches Neo4j's log before Raft commit (Raft §5.3: apply only committed entries).
 */
public final class RaftTransactionCommitProcess implements TransactionCommitProcess {
  public static final String MAX_ENTRY_SIZE_SETTING = "server.raft.max_entry_size";
  public static final String COMMIT_TIMEOUT_SETTING = "server.raft.commit_timeout";

  private final RaftNode raft;
  private final Runnable unknownOutcome;
  private final InternalLog log;
  private final WriteGate gate;
  private final ProposalWaiters waiters;
  private final String self;
  private final String databaseName;
  private final long maxEntryBytes;
  private final Duration commitTimeout;
  private final boolean leaderFastPath;

  /**
   * @param unknownOutcome what to do when a proposal timed out and its outcome is unknown: its
   *     entry may still be in the leader's log and commit later. A token-creation transaction is
   *     the dangerous case: Neo4j's token holder did not learn the token, so the next transaction
   *     that needs the same label, type or property key would create it AGAIN under a new id, and
   *     when both entries commit the second one fails to apply on every member
   *     (NonUniqueTokenException: every database panics; seen on real servers by MajorityLossIT).
   *     The plugin answers by closing the write gate and renewing the lease: the new lease entry
   *     is applied only after every earlier entry (§5.3 log order), so by the time writes resume
   *     the earlier transaction is applied or gone for good.
   * @param log where a failure of that action is reported
   * @param leaderFastPath the local apply uses the kernel's own commands (true, the default) or
   *     reads them back from the entry like a follower (false: for A/B benchmark runs only)
   */
  public RaftTransactionCommitProcess(
      RaftNode raft,
      WriteGate gate,
      ProposalWaiters waiters,
      String self,
      String databaseName,
      long maxEntryBytes,
      Duration commitTimeout,
      Runnable unknownOutcome,
      InternalLog log,
      boolean leaderFastPath) {
    this.raft = raft;
    this.unknownOutcome = unknownOutcome;
    this.log = log;
    this.gate = gate;
    this.waiters = waiters;
    this.self = self;
    this.databaseName = databaseName;
    this.maxEntryBytes = maxEntryBytes;
    this.commitTimeout = commitTimeout;
    this.leaderFastPath = leaderFastPath;
  }

  @Override
  public long commit(
      StorageEngineTransaction batch, TransactionWriteEvent event, TransactionApplicationMode mode)
      throws TransactionFailureException {
    if (batch.next() != null) {
      // Kernel transactions always commit a single batch (DefaultCommitter); chains only come
      // from internal appliers that this member must never run outside Raft.
      throw new TransactionFailureException(
          Status.Transaction.TransactionCommitFailed,
          "graft: chained command batches cannot be replicated");
    }
    int leaseId = gate.currentLeaseId();
    long txIdAtLeaseStart = gate.txIdAtLeaseStart();
    if (!gate.isOpen()) {
      throw notALeader("it is not the Raft leader or has no current lease");
    }
    CommandBatch commands = batch.commandBatch();
    if (commands.getLatestCommittedTxWhenStarted() < txIdAtLeaseStart) {
      // Ids reserved before this member's lease took effect may collide with entries applied
      // since (docs/NEO4J-INTERNALS.md §4 rule 4): the transaction must be retried.
      throw notALeader(
          "the transaction started before this member's leader lease took effect (started at tx "
              + commands.getLatestCommittedTxWhenStarted()
              + ", lease from tx "
              + txIdAtLeaseStart
              + "); retry it");
    }
    return replicate(commands, leaseId);
  }

  /**
   * Registers the waiter (holding the kernel's commands, which the local apply uses: the leader
   * fast path), encodes the entry in one pass (the commands are serialized once, straight into
   * the payload) and proposes it; then waits for the local apply.
   */
  private long replicate(CommandBatch commands, int leaseId) throws TransactionFailureException {
    List<StorageCommand> kernelCommands = new ArrayList<>(commands.commandCount());
    commands.forEach(kernelCommands::add);
    try (ProposalWaiters.Proposal proposal =
        waiters.register(leaderFastPath ? kernelCommands : null)) {
      byte[] payload = encode(commands, kernelCommands, leaseId, proposal.id());
      proposal.proposing();
      raft.propose(payload)
          .whenComplete(
              (result, error) -> {
                if (error != null) {
                  onProposeFailure(proposal.id(), error);
                }
              });
      long txId = proposal.future().get(commitTimeout.toMillis(), TimeUnit.MILLISECONDS);
      proposal.released();
      return txId;
    } catch (TimeoutException e) {
      unknownOutcome();
      throw new TransactionFailureException(
          Status.Cluster.ReplicationFailure,
          "graft: the transaction was not applied within "
              + commitTimeout.toMillis()
              + " ms (setting "
              + COMMIT_TIMEOUT_SETTING
              + "); its outcome is UNKNOWN: it may still commit on every member. Check CALL"
              + " raft.status() on the members: a write commits only while a majority of the"
              + " voting members are up and reach the leader");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransactionFailureException(
          Status.Cluster.ReplicationFailure,
          e,
          "graft: interrupted while waiting for replication; the outcome is UNKNOWN");
    } catch (ExecutionException e) {
      throw mapFailure(e.getCause());
    }
  }

  private byte[] encode(CommandBatch batch, List<StorageCommand> commands, int leaseId,
      long proposalId) throws TransactionFailureException {
    TxEntryWriter.Header header = new TxEntryWriter.Header(self, proposalId, leaseId,
        batch.kernelVersion().version(), batch.getTimeStarted(),
        batch.getLatestCommittedTxWhenStarted(), batch.getTimeCommitted(),
        SubjectCodec.encode(batch.subject()), commands.size());
    try {
      return TxEntryWriter.encode(header, commands, maxEntryBytes, MAX_ENTRY_SIZE_SETTING);
    } catch (EntryTooLargeException e) {
      throw new TransactionFailureException(
          Status.Transaction.TransactionCommitFailed, e.getMessage());
    } catch (IOException e) {
      throw new TransactionFailureException(
          Status.Transaction.TransactionCommitFailed, e, "graft: could not serialize commands");
    }
  }

  private void unknownOutcome() {
    try {
      unknownOutcome.run();
    } catch (RuntimeException e) {
      // The caller still gets its "outcome unknown" error; the gate stays as the action left it.
      log.warn("graft: a transaction's outcome is unknown and pausing writes until a new lease"
          + " is applied failed; the write gate is as the failure left it", e);
    }
  }

  /**
   * A proposal that Raft refused before appending (not leader, back-pressure, shutdown) will never
   * be applied, so its waiter fails now. A dropped proposal may still commit: keep waiting, as the
   * next leader's log will tell this member whether it did, unless this member is no longer in
   * the configuration (the leader removed itself with {@code raft.removeMember}): then no leader
   * will ever tell it, and waiting out the commit timeout (30 s by default) only held the client,
   * whose routed write stalled that long (MembershipIT in CI): its outcome is unknown now.
   */
  private void onProposeFailure(long proposalId, Throwable error) {
    Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
    if (cause instanceof NotLeaderException
        || cause instanceof ProposalRejectedException
        || cause instanceof RaftShutdownException) {
      waiters.fail(proposalId, cause);
    } else if (cause instanceof ProposalDroppedException && removedFromTheCluster()) {
      waiters.fail(proposalId, new ProposalDroppedException(cause.getMessage() + "; member "
          + self + " is no longer in the cluster's configuration and will not learn the outcome"
          + " (the remaining members may have committed it)"));
    }
  }

  /** True when this member's current configuration no longer holds it (null: not known yet). */
  private boolean removedFromTheCluster() {
    Membership membership = raft.membership();
    return membership != null && !membership.contains(MemberId.of(self));
  }

  private TransactionFailureException mapFailure(Throwable cause) {
    if (cause instanceof StaleLeaseException || cause instanceof NotLeaderException) {
      return notALeader(cause.getMessage());
    }
    if (cause instanceof ProposalRejectedException) {
      return new TransactionFailureException(
          Status.Transaction.TransactionCommitFailed,
          cause,
          "graft: the leader refused the transaction (nothing was written): %s",
          cause.getMessage());
    }
    return new TransactionFailureException(
        Status.Cluster.ReplicationFailure,
        cause,
        "graft: replication failed; the outcome is UNKNOWN: %s",
        String.valueOf(cause));
  }

  private TransactionFailureException notALeader(String why) {
    return new TransactionFailureException(
        Status.Cluster.NotALeader,
        "graft: cannot commit on database '%s' on member %s: %s",
        databaseName,
        self,
        why);
  }
}
