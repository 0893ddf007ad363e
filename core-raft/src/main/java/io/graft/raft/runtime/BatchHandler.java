package io.graft.raft.runtime;

import io.graft.raft.api.Membership;
import io.graft.raft.api.ProposalRejectedException;
import io.graft.raft.api.RaftException;
import io.graft.raft.api.Role;
import io.graft.raft.api.metrics.LeaderStage;
import io.graft.raft.message.AppendEntries;
import io.graft.raft.message.ChangeRequest;
import io.graft.raft.message.ChangeResponse;
import io.graft.raft.message.LogEntry;
import io.graft.raft.message.RaftMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * The owner thread's work (docs/STYLE.md §3.3): drains one inbox batch, in which inbound messages
 * are stepped and tasks run in arrival order, each message after the ticks that elapsed before it
 * arrived; the batch's proposals become one {@code propose(List)} (group commit: one append, one
 * fsync); then the remaining ticks; then the writes that became durable meanwhile are completed
 * and at most one new {@link io.graft.raft.protocol.Ready} is carried out by {@link ReadyHandler}
 * (its fsync runs on the sync side while the next batches are stepped). Owner thread only.
 */
final class BatchHandler {
  private static final int BATCH_MAX = 4096;

  /** Per-entry overhead counted like {@link LogEntry#sizeBytes()}. */
  private static final int ENTRY_OVERHEAD_BYTES = 24;

  private final RaftNodeBuilder spec;
  private final long tickMillis;
  private final Inbox inbox;
  private final ProposalRegistry registry;
  private final ApplyWorker applyWorker;
  private final MembershipRequests membershipRequests;
  /** Snapshots and compaction, or null if the state machine has no SnapshotSupport. */
  private final SnapshotCoordinator snapshots;
  private final ReadyHandler readyHandler;
  private final DurableWriter writer;
  private final StatusPublisher statusPublisher;
  private final ForcedClusterRequest forced;
  private final RaftMetricsRecorder metrics;
  private final List<Event> batch = new ArrayList<>();
  private final List<Event.Proposal> proposals = new ArrayList<>();

  BatchHandler(
      RaftNodeBuilder spec,
      Inbox inbox,
      ProposalRegistry registry,
      ApplyWorker applyWorker,
      MembershipRequests membershipRequests,
      SnapshotCoordinator snapshots,
      ReadyHandler readyHandler,
      DurableWriter writer,
      StatusPublisher statusPublisher,
      ForcedClusterRequest forced,
      RaftMetricsRecorder metrics) {
    this.spec = spec;
    this.tickMillis = spec.tickMillis;
    this.inbox = inbox;
    this.registry = registry;
    this.applyWorker = applyWorker;
    this.membershipRequests = membershipRequests;
    this.snapshots = snapshots;
    this.readyHandler = readyHandler;
    this.writer = writer;
    this.statusPublisher = statusPublisher;
    this.forced = forced;
    this.metrics = metrics;
  }

  /** Waits up to one tick for events, then processes what it drained (possibly nothing). */
  void drainAndProcess(ConsensusMachine machine) throws InterruptedException {
    batch.clear();
    // A write that became durable (the sync side wakes the owner) or advance() itself (a single
    // voter commits on its own fsync; a follower may apply what just became durable) can leave
    // work: then take what is queued without waiting.
    inbox.drain(batch, BATCH_MAX, leftOver(machine) ? 0 : tickMillis);
    process(machine);
  }

  /**
   * Processes what is queued now, without waiting (the owner running as tasks on an executor,
   * scheduled by the inbox's signal).
   */
  void processNow(ConsensusMachine machine) throws InterruptedException {
    batch.clear();
    inbox.drain(batch, BATCH_MAX, 0);
    process(machine);
  }

  /** True if a run of {@link #processNow} has something to do right away. */
  boolean hasWork(ConsensusMachine machine) {
    return leftOver(machine) || !inbox.idle();
  }

  /** Work the last batch left without anything new arriving. */
  private boolean leftOver(ConsensusMachine machine) {
    return machine.hasReady() || writer.hasDone();
  }

  private void process(ConsensusMachine machine) {
    long bytes = 0;
    for (int i = 0; i < batch.size(); i++) {
      Event e = batch.get(i);
      if (e instanceof Event.Inbound inbound) {
        tick(machine, inbox.takeTicksUpTo(inbound.ticksBefore()));
        long commitBefore = machine.commitIndex();
        stepOrHandle(machine, inbound.message());
        if (machine.commitIndex() > commitBefore) {
          // On a leader, this message completed a majority: the entries were quorum-durable when it
          // arrived, and are committed now.
          metrics.reached(LeaderStage.QUORUM_DURABLE, machine.commitIndex(), inbound.arrivedNanos());
          metrics.reached(LeaderStage.COMMITTED, machine.commitIndex(), System.nanoTime());
        }
        if (snapshots != null) {
          snapshots.onInbound(inbound.message());
        }
        bytes += entryBytes(inbound.message());
      } else if (e instanceof Event.Proposal proposal) {
        proposals.add(proposal);
        bytes += proposal.payload().length + ENTRY_OVERHEAD_BYTES;
      } else if (e instanceof Event.Task task) {
        task.work().run();
      }
      if (bytes >= spec.batchBytesMax && i + 1 < batch.size()) {
        // Bound the bytes one Ready persists, so one fsync (and the heartbeats and votes waiting
        // behind it on this thread) never stalls for long under large entries.
        inbox.carryOver(batch.subList(i + 1, batch.size()));
        break;
      }
    }
    if (!proposals.isEmpty()) {
      proposeAll(machine);
      proposals.clear();
    }
    tick(machine, inbox.takeTicks());
    readyHandler.finishDurable(machine);
    if (machine.hasReady()) {
      readyHandler.handle(machine, machine.ready());
    }
    statusPublisher.publish(machine);
    membershipRequests.afterBatch(machine, System.nanoTime());
    forced.afterBatch(machine);
  }

  /**
   * Time that passed. Ticks posted before an inbound message are stepped before it (arrival
   * order): after a stall, a leader's heartbeat that arrived during it still counts as recent.
   */
  private void tick(ConsensusMachine machine, int ticks) {
    if (ticks == 0 || catchingUpToANewerEpoch(machine)) {
      return;
    }
    for (int i = 0; i < ticks; i++) {
      machine.tick();
    }
  }

  /**
   * True for a non-leader bound to a cluster epoch (from its leader's handshake) while the latest
   * configuration in its log is of another epoch: a new or wiped member replaying the history of a
   * cluster that was re-formed by {@code forceNewCluster}, not yet at the forced configuration.
   * By that old configuration it may look like a voter, and two such members form a majority of
   * it: they must not elect anyone (it happened: a catching-up member elected itself with a
   * wiped peer's vote and deposed the forced leader). Its timers stop until the leader's entries
   * bring it to a configuration of its epoch; it keeps following (messages still step).
   */
  private boolean catchingUpToANewerEpoch(ConsensusMachine machine) {
    long bound = spec.clusterEpoch.get();
    if (bound == Membership.NO_EPOCH || machine.softState().role() == Role.LEADER) {
      return false;
    }
    Membership m = machine.membership();
    return m != null && m.epoch() != Membership.NO_EPOCH && m.epoch() != bound;
  }

  /** Forwarded membership requests are the runner's; everything else goes to the protocol. */
  private void stepOrHandle(ConsensusMachine machine, RaftMessage message) {
    if (message instanceof ChangeRequest request) {
      membershipRequests.onChangeRequest(machine, request, System.nanoTime());
    } else if (message instanceof ChangeResponse response) {
      membershipRequests.onChangeResponse(response);
    } else {
      machine.step(message);
    }
  }

  private static long entryBytes(RaftMessage message) {
    if (message instanceof AppendEntries append) {
      long bytes = 0;
      for (LogEntry entry : append.entries()) {
        bytes += entry.sizeBytes();
      }
      return bytes;
    }
    return 0;
  }

  /** All proposals of one drain become one {@code propose(List)}: one append, one fsync. */
  private void proposeAll(ConsensusMachine machine) {
    metrics.leading(
        machine.softState().role() == Role.LEADER, machine.term(), machine.commitIndex());
    List<byte[]> payloads = new ArrayList<>(proposals.size());
    for (Event.Proposal p : proposals) {
      payloads.add(p.payload());
    }
    long backlog = applyWorker.backlogBytes();
    if (backlog > spec.applyBacklogBytesMax) {
      RaftException e =
          new ProposalRejectedException(
              "apply backlog of node "
                  + spec.self
                  + " is "
                  + backlog
                  + " bytes (max "
                  + spec.applyBacklogBytesMax
                  + "): the state machine is behind; retry later");
      for (Event.Proposal p : proposals) {
        p.future().completeExceptionally(e);
      }
      return;
    }
    try {
      long firstIndex = machine.propose(payloads);
      long term = machine.term();
      metrics.proposed(firstIndex, proposals);
      for (int i = 0; i < proposals.size(); i++) {
        registry.register(firstIndex + i, term, proposals.get(i).future());
      }
    } catch (RaftException e) {
      for (Event.Proposal p : proposals) {
        p.future().completeExceptionally(e);
      }
    }
  }
}
