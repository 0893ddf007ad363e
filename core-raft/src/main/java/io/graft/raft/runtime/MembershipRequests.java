package io.graft.raft.runtime;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Membership;
import io.graft.raft.api.MembershipChangeException;
import io.graft.raft.api.MembershipChangeException.Reason;
import io.graft.raft.api.NotLeaderException;
import io.graft.raft.api.RaftException;
import io.graft.raft.api.Role;
import io.graft.raft.protocol.SoftState;
import io.graft.raft.message.ChangeRequest;
import io.graft.raft.message.ChangeResponse;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.protocol.membership.ChangeOutcome;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The runner's side of membership changes and leadership transfers: the callers' futures, keyed
 * by request id, completed from the protocol's {@link ChangeOutcome}s (a change ends when its
 * configuration entry commits, thesis §4.1) or, for a transfer (§3.10), when another leader is
 * observed. A follower forwards requests to the leader it believes in ({@link ChangeRequest}) and
 * completes them with the leader's {@link ChangeResponse}. {@code start*}, {@code on*} and {@link
 * #afterBatch} run on the owner thread; {@link #failAll} on any thread.
 */
final class MembershipRequests {
  private record Transfer(MemberId target, CompletableFuture<MemberId> future, long deadlineNanos) {}

  /** A request this follower forwarded to the leader, waiting for its ChangeResponse. */
  private record Forwarded(
      ChangeRequest.Operation operation, CompletableFuture<Object> future, long deadlineNanos) {}

  private final MemberId self;
  private final BiConsumer<MemberId, RaftMessage> send;
  private final long forwardTimeoutNanos;
  private final Map<Long, Forwarded> forwarded = new ConcurrentHashMap<>();
  private final Map<Long, CompletableFuture<Membership>> changes = new ConcurrentHashMap<>();
  private final AtomicReference<Transfer> transfer = new AtomicReference<>();
  private final long transferTimeoutNanos;
  private long nextRequestId = 1;

  /**
   * Bounds from the election timeout: a transfer gets three; a forwarded add may run ten catch-up
   * rounds, so it gets 200, and at least 2 min.
   */
  static MembershipRequests forElectionTimeout(
      MemberId self, BiConsumer<MemberId, RaftMessage> send, long electionNanos) {
    return new MembershipRequests(
        self,
        send,
        3 * electionNanos,
        // A forwarded add may run ten catch-up rounds: allow for them, and at least 2 min.
        Math.max(TimeUnit.MINUTES.toNanos(2), 200 * electionNanos));
  }

  /**
   * @param send sends a message to a peer (forwarding and answers to forwarded requests)
   * @param transferTimeoutNanos bound on a transfer until another leader is observed
   * @param forwardTimeoutNanos bound on a forwarded request until the leader answers
   */
  MembershipRequests(
      MemberId self,
      BiConsumer<MemberId, RaftMessage> send,
      long transferTimeoutNanos,
      long forwardTimeoutNanos) {
    this.self = self;
    this.send = send;
    this.transferTimeoutNanos = transferTimeoutNanos;
    this.forwardTimeoutNanos = forwardTimeoutNanos;
  }

  /**
   * A request made on this member: run here if it leads, else forward it to the leader it
   * believes in (once; NOT_LEADER with no hint when it knows none).
   */
  @SuppressWarnings("unchecked")
  void start(
      ConsensusMachine machine,
      ChangeRequest.Operation op,
      MemberId target,
      CompletableFuture<?> future,
      long now) {
    SoftState soft = machine.softState();
    if (soft.role() == Role.LEADER || soft.leader() == null || soft.leader().equals(self)) {
      startHere(machine, op, target, future, now);
      return;
    }
    long id = nextRequestId++;
    forwarded.put(
        id, new Forwarded(op, (CompletableFuture<Object>) future, now + forwardTimeoutNanos));
    send.accept(soft.leader(), new ChangeRequest(self, soft.term(), id, op, target));
  }

  @SuppressWarnings("unchecked")
  private void startHere(
      ConsensusMachine machine,
      ChangeRequest.Operation op,
      MemberId target,
      CompletableFuture<?> future,
      long now) {
    switch (op) {
      case ADD_MEMBER:
        startAdd(machine, target, (CompletableFuture<Membership>) future);
        break;
      case REMOVE_MEMBER:
        startRemove(machine, target, (CompletableFuture<Membership>) future);
        break;
      default:
        startTransfer(machine, target, (CompletableFuture<MemberId>) future, now);
        break;
    }
  }

  /** The leader side of forwarding: run it here (never forwarded twice), answer when done. */
  void onChangeRequest(ConsensusMachine machine, ChangeRequest req, long now) {
    CompletableFuture<Object> answer = new CompletableFuture<>();
    answer.whenComplete((result, error) -> send.accept(req.from(), response(req, result, error)));
    SoftState soft = machine.softState();
    if (soft.role() != Role.LEADER) {
      answer.completeExceptionally(
          new MembershipChangeException(
              Reason.NOT_LEADER, self + " is not the leader", soft.leader()));
      return;
    }
    startHere(machine, req.operation(), req.target(), answer, now);
  }

  private ChangeResponse response(ChangeRequest req, Object result, Throwable error) {
    long term = 0;
    if (error != null) {
      Throwable cause = error instanceof CompletionException ? error.getCause() : error;
      String reason =
          cause instanceof MembershipChangeException m
              ? m.reason().name()
              : Reason.TIMED_OUT.name();
      MemberId hint = cause instanceof MembershipChangeException m ? m.leaderHint() : null;
      return new ChangeResponse(
          self, term, req.requestId(), reason, truncate(String.valueOf(cause.getMessage())), hint,
          0, List.of(), List.of());
    }
    if (result instanceof Membership m) {
      return new ChangeResponse(
          self, term, req.requestId(), "", "", null, m.index(), List.copyOf(m.voters()),
          List.copyOf(m.learners()));
    }
    return new ChangeResponse(
        self, term, req.requestId(), "", "", (MemberId) result, 0, List.of(), List.of());
  }

  /** Wire strings are length-prefixed with 16 bits; a message never needs more than this. */
  private static String truncate(String detail) {
    return detail.length() <= 1000 ? detail : detail.substring(0, 1000) + "…";
  }

  /** The follower side: the leader answered a forwarded request. */
  void onChangeResponse(ChangeResponse r) {
    Forwarded f = forwarded.remove(r.requestId());
    if (f == null) {
      return; // timed out already, or a duplicate
    }
    if (!r.succeeded()) {
      f.future()
          .completeExceptionally(
              new MembershipChangeException(
                  Reason.valueOf(r.error()), r.from() + ": " + r.detail(), r.leader()));
    } else if (f.operation() == ChangeRequest.Operation.TRANSFER_LEADERSHIP) {
      f.future().complete(r.leader());
    } else {
      f.future()
          .complete(
              new Membership(r.configIndex(), Set.copyOf(r.voters()), Set.copyOf(r.learners())));
    }
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
    if (!forwarded.isEmpty()) {
      expireForwarded(now);
    }
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

  private void expireForwarded(long now) {
    for (Map.Entry<Long, Forwarded> e : forwarded.entrySet()) {
      if (now - e.getValue().deadlineNanos() > 0 && forwarded.remove(e.getKey()) != null) {
        e.getValue()
            .future()
            .completeExceptionally(
                new MembershipChangeException(
                    Reason.TIMED_OUT,
                    "forwarded "
                        + e.getValue().operation()
                        + ": no answer from the leader in time; it may still take effect"));
      }
    }
  }

  void failAll(RaftException cause) {
    for (Long id : forwarded.keySet()) {
      Forwarded f = forwarded.remove(id);
      if (f != null) {
        f.future().completeExceptionally(cause);
      }
    }
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
