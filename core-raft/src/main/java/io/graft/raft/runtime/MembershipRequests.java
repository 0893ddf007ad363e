package io.graft.raft.runtime;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Membership;
import io.graft.raft.api.MembershipChangeException;
import io.graft.raft.api.MembershipChangeException.Reason;
import io.graft.raft.api.NotLeaderException;
import io.graft.raft.api.RaftException;
import io.graft.raft.api.Role;
import io.graft.raft.protocol.SoftState;
import io.graft.raft.protocol.membership.ChangeOutcome;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The runner's side of membership changes and leadership transfers: the callers' futures, keyed
 * by request id, completed from the protocol's {@link ChangeOutcome}s (a change ends when its
 * configuration entry commits, thesis §4.1) or, for a transfer (§3.10), when another leader is
 * observed. {@code start*} and {@link #afterBatch} run on the owner thread; {@link #failAll} on
 * any thread.
 */
final class MembershipRequests {
  private record Transfer(MemberId target, CompletableFuture<MemberId> future, long deadlineNanos) {}

  private final MemberId self;
  private final Map<Long, CompletableFuture<Membership>> changes = new ConcurrentHashMap<>();
  private final AtomicReference<Transfer> transfer = new AtomicReference<>();
  private final long transferTimeoutNanos;
  private long nextRequestId = 1;

  MembershipRequests(MemberId self, long transferTimeoutNanos) {
    this.self = self;
    this.transferTimeoutNanos = transferTimeoutNanos;
  }

  void startAdd(ConsensusMachine machine, MemberId member, CompletableFuture<Membership> future) {
    long id = nextRequestId++;
    try {
      changes.put(id, future);
      machine.addMember(id, member);
    } catch (RaftException e) {
      changes.remove(id);
      future.completeExceptionally(e);
    }
  }

  void startRemove(
      ConsensusMachine machine, MemberId member, CompletableFuture<Membership> future) {
    long id = nextRequestId++;
    try {
      changes.put(id, future);
      machine.removeMember(id, member);
    } catch (RaftException e) {
      changes.remove(id);
      future.completeExceptionally(e);
    }
  }

  void startTransfer(
      ConsensusMachine machine, MemberId target, CompletableFuture<MemberId> future, long now) {
    SoftState soft = machine.softState();
    if (soft.role() != Role.LEADER) {
      future.completeExceptionally(
          new MembershipChangeException(
              Reason.NOT_LEADER, self + " is not the leader", soft.leader()));
      return;
    }
    if (target.equals(self)) {
      future.complete(self);
      return;
    }
    if (transfer.get() != null) {
      future.completeExceptionally(
          new MembershipChangeException(
              Reason.CHANGE_IN_PROGRESS,
              "a leadership transfer to " + transfer.get().target() + " is running"));
      return;
    }
    try {
      machine.transferLeadership(target);
      transfer.set(new Transfer(target, future, now + transferTimeoutNanos));
    } catch (NotLeaderException e) {
      future.completeExceptionally(
          new MembershipChangeException(
              Reason.NOT_LEADER, e.getMessage(), e.leaderHint().orElse(null)));
    } catch (RaftException e) {
      future.completeExceptionally(e);
    }
  }

  /** Completes finished changes and settles a transfer once the outcome is observed. */
  void afterBatch(ConsensusMachine machine, long now) {
    for (ChangeOutcome o : machine.takeChangeOutcomes()) {
      CompletableFuture<Membership> f = changes.remove(o.requestId());
      if (f != null) {
        if (o.succeeded()) {
          f.complete(o.membership());
        } else {
          f.completeExceptionally(o.error());
        }
      }
    }
    Transfer t = transfer.get();
    if (t == null) {
      return;
    }
    SoftState soft = machine.softState();
    if (soft.leader() != null && !soft.leader().equals(self)) {
      transfer.set(null);
      t.future().complete(soft.leader());
    } else if (soft.role() == Role.LEADER && machine.transferTarget() == null) {
      transfer.set(null);
      t.future()
          .completeExceptionally(
              new MembershipChangeException(
                  Reason.TIMED_OUT,
                  "leadership transfer to "
                      + t.target()
                      + " abandoned: it did not take over within an election timeout (§3.10)"));
    } else if (now - t.deadlineNanos() > 0) {
      transfer.set(null);
      t.future()
          .completeExceptionally(
              new MembershipChangeException(
                  Reason.TIMED_OUT,
                  "leadership transfer to " + t.target() + ": no new leader observed in time"));
    }
  }

  void failAll(RaftException cause) {
    for (Long id : changes.keySet()) {
      CompletableFuture<Membership> f = changes.remove(id);
      if (f != null) {
        f.completeExceptionally(cause);
      }
    }
    Transfer t = transfer.getAndSet(null);
    if (t != null) {
      t.future().completeExceptionally(cause);
    }
  }
}
