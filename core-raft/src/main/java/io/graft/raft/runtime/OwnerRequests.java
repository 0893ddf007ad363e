package io.graft.raft.runtime;

import io.graft.raft.api.CommitResult;
import io.graft.raft.api.ForcedCluster;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.ProposalRejectedException;
import io.graft.raft.api.RaftShutdownException;
import io.graft.raft.message.ChangeRequest;
import io.graft.raft.protocol.log.LogReader;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The requests other threads make of a running node (proposals, membership changes, a forced new
 * cluster, log queries), turned into inbox events for the owner thread: each one answers with a
 * future, refused at once when the inbox is full ({@link ProposalRejectedException}) or the node
 * does not run (its {@link RaftShutdownException}). A request that races the node's stop is
 * failed here too, as the owner may never see it (completing a future twice is harmless).
 */
final class OwnerRequests {
  private final MemberId self;
  private final Inbox inbox;
  private final long entryBytesMax;
  private final int inboxCapacity;
  private final BooleanSupplier accepting;
  private final Supplier<RaftShutdownException> shutdown;
  /** Owner thread only. */
  private final Supplier<ConsensusMachine> machine;
  private final MembershipRequests membershipRequests;
  private final ForcedClusterRequest forcedCluster;
  /** Owner thread only. */
  private final LogReader log;

  /**
   * @param accepting true while the node runs and has not failed
   * @param shutdown why the node does not run (its failure, or "not running")
   */
  OwnerRequests(MemberId self, Inbox inbox, long entryBytesMax, int inboxCapacity,
      BooleanSupplier accepting, Supplier<RaftShutdownException> shutdown,
      Supplier<ConsensusMachine> machine, MembershipRequests membershipRequests,
      ForcedClusterRequest forcedCluster, LogReader log) {
    this.self = self;
    this.inbox = inbox;
    this.entryBytesMax = entryBytesMax;
    this.inboxCapacity = inboxCapacity;
    this.accepting = accepting;
    this.shutdown = shutdown;
    this.machine = machine;
    this.membershipRequests = membershipRequests;
    this.forcedCluster = forcedCluster;
    this.log = log;
  }

  CompletableFuture<CommitResult> propose(byte[] payload) {
    Objects.requireNonNull(payload, "payload");
    CompletableFuture<CommitResult> future = new CompletableFuture<>();
    if (!accepting.getAsBoolean()) {
      future.completeExceptionally(shutdown.get());
      return future;
    }
    if (payload.length > entryBytesMax) {
      future.completeExceptionally(
          new ProposalRejectedException(
              "entry of "
                  + payload.length
                  + " bytes exceeds appendBytesMax "
                  + entryBytesMax));
      return future;
    }
    if (!inbox.offerProposal(new Event.Proposal(payload, future, System.nanoTime()))) {
      future.completeExceptionally(
          new ProposalRejectedException(
              "inbox of node " + self + " is full (" + inboxCapacity + "): retry later"));
    } else if (!accepting.getAsBoolean()) {
      // Raced with close/failure: the owner may never see it. Completing twice is harmless.
      future.completeExceptionally(shutdown.get());
    }
    return future;
  }

  /**
   * Runs on the owner thread: refused (LEADER_KNOWN, QUORUM_REACHABLE, NOT_A_VOTER) or the
   * configuration entry is appended at once; the future completes when it has committed.
   */
  CompletableFuture<ForcedCluster> forceNewCluster() {
    CompletableFuture<ForcedCluster> future = new CompletableFuture<>();
    onOwner(() -> forcedCluster.start(machine.get(), future), future,
        "inbox of node " + self + " is full: retry later");
    return future;
  }

  /** Starts a change on the owner thread ({@link MembershipRequests}: here or forwarded). */
  <T> CompletableFuture<T> change(ChangeRequest.Operation op, MemberId target) {
    CompletableFuture<T> future = new CompletableFuture<>();
    onOwner(
        () -> membershipRequests.start(machine.get(), op, target, future, System.nanoTime()),
        future,
        "inbox of node " + self + " is full: retry later");
    return future;
  }

  /**
   * Runs a read-only {@code query} against the durable log on the owner thread (the only thread
   * that may touch the log) and completes with its answer.
   */
  <T> CompletableFuture<T> inspectLog(Function<LogReader, T> query) {
    CompletableFuture<T> answer = new CompletableFuture<>();
    Runnable task =
        () -> {
          try {
            answer.complete(query.apply(log));
          } catch (RuntimeException e) {
            answer.completeExceptionally(e);
          }
        };
    onOwner(task, answer, "inbox full");
    return answer;
  }

  /**
   * Runs {@code work} on the owner thread; fails {@code future} if the node cannot take it: with
   * {@code whenFull} if the inbox is full, else with the shutdown cause.
   */
  private void onOwner(Runnable work, CompletableFuture<?> future, String whenFull) {
    if (!accepting.getAsBoolean() || !inbox.offerTask(new Event.Task(work))) {
      future.completeExceptionally(
          accepting.getAsBoolean() ? new ProposalRejectedException(whenFull) : shutdown.get());
    } else if (!accepting.getAsBoolean()) {
      future.completeExceptionally(shutdown.get());
    }
  }
}
