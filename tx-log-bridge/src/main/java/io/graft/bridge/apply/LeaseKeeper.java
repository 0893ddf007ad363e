package io.graft.bridge.apply;

import io.graft.bridge.capture.WriteGate;
import io.graft.bridge.codec.EntryCodec;
import io.graft.bridge.model.LeaseEntry;
import io.graft.raft.api.RaftListener;
import io.graft.raft.api.RaftNode;
import io.graft.raft.api.RaftStatus;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Obtains a lease whenever this member becomes leader: it proposes {@code LeaseEntry(current+1,
 * self)} and the member serves writes only once that entry is applied locally (docs/ARCHITECTURE.md
 * §2, decision 4). If the lease loses a race (another lease applied first) while this member is
 * still leader, it asks again: its own lease entry, applied, tells it whether it was accepted (the
 * entry's apply result comes back with the proposal). On losing leadership it closes the write gate
 * immediately.
 */
public final class LeaseKeeper implements RaftListener {
  private static final int MAX_ATTEMPTS_PER_TERM = 16;

  private final String self;
  private final RaftNode raft;
  private final GraphStateMachine machine;
  private final WriteGate gate;
  private final Consumer<String> log;
  private final AtomicInteger attempts = new AtomicInteger();
  private volatile long leaderTerm = -1;

  public LeaseKeeper(
      String self, RaftNode raft, GraphStateMachine machine, WriteGate gate, Consumer<String> log) {
    this.self = self;
    this.raft = raft;
    this.machine = machine;
    this.gate = gate;
    this.log = log;
  }

  @Override
  public void onRoleChange(RaftStatus status) {
    if (status.isLeader()) {
      if (status.term() != leaderTerm) {
        leaderTerm = status.term();
        attempts.set(0);
        requestLease();
      }
    } else {
      leaderTerm = -1;
      machine.steppedDown();
    }
  }

  /**
   * Our own lease entry was applied (on the apply thread, after every earlier entry). Not accepted
   * while this member is still leader: the current lease is someone else's (a late entry of an old
   * leader won the race), so ask again for the successor of the current lease.
   */
  void onOwnLeaseApplied(boolean accepted) {
    if (!accepted && leaderTerm != -1 && !self.equals(gate.currentLeaseOwner())) {
      requestLease();
    }
  }

  /**
   * An entry this leader proposed may still commit although its committer gave up (outcome
   * unknown). Stop writes at once and ask for a new lease: the write gate reopens only when that
   * lease entry is applied, i.e. after every earlier entry, the uncertain one included, has been
   * applied or truncated. Transactions prepared under the old lease are then rejected at apply
   * (stale lease) and fail with NotALeader; drivers retry them. No-op when not leader.
   */
  public void renewLease(String why) {
    if (leaderTerm == -1) {
      return;
    }
    gate.close();
    log.accept("graft: writes paused until a new lease is applied: " + why);
    requestLease();
  }

  private void requestLease() {
    if (attempts.incrementAndGet() > MAX_ATTEMPTS_PER_TERM) {
      log.accept("graft: gave up requesting a lease after " + MAX_ATTEMPTS_PER_TERM + " attempts");
      return;
    }
    LeaseEntry lease = new LeaseEntry(gate.currentLeaseId() + 1, self);
    raft.propose(EntryCodec.encode(lease))
        .whenComplete(
            (committed, error) -> {
              if (error != null) {
                log.accept("graft: lease request " + lease + " failed: " + error);
              } else {
                onOwnLeaseApplied(Boolean.TRUE.equals(committed.result()));
              }
            });
  }
}
