package io.graft.raft.runtime;

import io.graft.raft.api.CommitResult;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.Membership;
import io.graft.raft.api.MembershipChangeException;
import io.graft.raft.api.ProposalRejectedException;
import io.graft.raft.api.RaftException;
import io.graft.raft.api.RaftListener;
import io.graft.raft.api.RaftNode;
import io.graft.raft.api.RaftShutdownException;
import io.graft.raft.api.RaftStatus;
import io.graft.raft.api.Role;
import io.graft.raft.message.AppendEntries;
import io.graft.raft.message.ChangeRequest;
import io.graft.raft.message.ChangeResponse;
import io.graft.raft.message.Envelope;
import io.graft.raft.message.LogEntry;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.protocol.HardState;
import io.graft.raft.protocol.Ready;
import io.graft.raft.protocol.log.LogReader;
import io.graft.raft.storage.LogStore;
import io.graft.raft.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Raft member: ONE owner thread drives the {@link ConsensusMachine} (STYLE.md §3.3).
 * Other threads only enqueue into the {@link Inbox}; the owner drains it in batches, and each batch
 * yields at most one {@link Ready}, handled in {@link #handleReady} in the order documented on
 * {@code Ready}. Proposals arriving while the owner is inside an fsync pile up in the inbox and are
 * appended and synced together in the next batch (group commit).
 *
 * <p>Threads: owner ({@code graft-raft-<self>}), ticker, apply worker, listener notifier; plus the
 * transport's own. A fatal error (storage, apply, broken invariant) stops the node and fails every
 * pending future with {@link RaftShutdownException} carrying the cause; see {@link #failure()}.
 */
public final class RaftNodeRunner implements RaftNode {
  private static final Logger LOG = LoggerFactory.getLogger(RaftNodeRunner.class);
  private static final int BATCH_MAX = 4096;

  /** Per-entry overhead counted like {@link LogEntry#sizeBytes()}. */
  private static final int ENTRY_OVERHEAD_BYTES = 24;

  private enum State {
    NEW,
    RUNNING,
    CLOSING,
    CLOSED
  }

  private final RaftNodeBuilder spec;
  private final MemberId self;
  private final LogStore log;
  private final Transport transport;
  private final long tickMillis;
  private final Inbox inbox;
  private final Ticker ticker;
  private final ProposalRegistry registry = new ProposalRegistry();
  private final DurableWriter writer;
  private final ApplyWorker applyWorker;
  private final Thread owner;
  private final ListenerNotifier notifier;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private final AtomicReference<RaftShutdownException> failure = new AtomicReference<>();

  // Owned by the owner thread (and by close() after the owner has been joined).
  private ConsensusMachine machine;
  private Role publishedRole;
  private MemberId publishedLeader;

  private volatile RaftStatus status;
  private volatile Membership membership;
  private final MembershipRequests membershipRequests;

  RaftNodeRunner(RaftNodeBuilder spec) {
    this.spec = spec;
    this.self = spec.self;
    this.log = spec.logStore;
    this.transport = spec.transport;
    this.tickMillis = spec.tickMillis;
    this.writer = new DurableWriter(log, spec.metaStore, registry);
    this.inbox = new Inbox(spec.inboxCapacity);
    this.ticker = new Ticker("graft-ticker-" + self, tickMillis, inbox);
    this.applyWorker =
        new ApplyWorker("graft-apply-" + self, spec.stateMachine, registry, this::fail);
    this.notifier = new ListenerNotifier(self, spec.listeners);
    long electionNanos =
        TimeUnit.MILLISECONDS.toNanos(spec.config.electionTimeoutTicks() * spec.tickMillis);
    this.membershipRequests =
        new MembershipRequests(
            self,
            transport::send,
            3 * electionNanos,
            // A forwarded add may run ten catch-up rounds: allow for them, and at least 2 min.
            Math.max(TimeUnit.MINUTES.toNanos(2), 200 * electionNanos));
    this.owner = new Thread(this::runLoop, "graft-raft-" + self);
    this.owner.setDaemon(true);
  }

  public static RaftNodeBuilder builder() {
    return new RaftNodeBuilder();
  }

  /** Loads the durable state, builds the machine and starts every thread. */
  public RaftNodeRunner start() {
    if (!state.compareAndSet(State.NEW, State.RUNNING)) {
      throw new IllegalStateException("node " + self + " already started");
    }
    HardState hardState = writer.load();
    // A member that is not one of the initial voters joins a running cluster: it starts with an
    // empty configuration, never campaigns, and waits for the leader to add it (thesis §4.2.1).
    boolean joining = !spec.initialVoters.contains(self);
    if (joining) {
      LOG.info("graft node {} is not an initial voter: joining, waiting for the leader", self);
    }
    machine =
        spec.machineFactory.create(
            spec.config,
            self,
            joining ? Set.of() : spec.initialVoters,
            log,
            hardState,
            new SplittableRandom(spec.randomSeed));
    if (!spec.peers.isEmpty()) {
      transport.setPeers(spec.peers);
    }
    publishStatus(); // after the configured peers: adds members found in the log's configuration
    transport.start(message -> inbox.offerMessage(new Event.Inbound(message)));
    applyWorker.start();
    owner.start();
    ticker.start();
    LOG.info("graft node {} started: {} (tick {} ms)", self, hardState, tickMillis);
    return this;
  }

  @Override
  public CompletableFuture<CommitResult> propose(byte[] payload) {
    Objects.requireNonNull(payload, "payload");
    CompletableFuture<CommitResult> future = new CompletableFuture<>();
    if (!accepting()) {
      future.completeExceptionally(shutdownException());
      return future;
    }
    if (payload.length > spec.config.appendBytesMax()) {
      future.completeExceptionally(
          new ProposalRejectedException(
              "entry of "
                  + payload.length
                  + " bytes exceeds appendBytesMax "
                  + spec.config.appendBytesMax()));
      return future;
    }
    if (!inbox.offerProposal(new Event.Proposal(payload, future))) {
      future.completeExceptionally(
          new ProposalRejectedException(
              "inbox of node " + self + " is full (" + spec.inboxCapacity + "): retry later"));
    } else if (!accepting()) {
      // Raced with close/failure: the owner may never see it. Completing twice is harmless.
      future.completeExceptionally(shutdownException());
    }
    return future;
  }

  private boolean accepting() {
    return state.get() == State.RUNNING && failure.get() == null;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Must be called on the leader; elsewhere it fails with {@link MembershipChangeException}
   * NOT_LEADER carrying the leader hint. An unreachable or slow member fails with UNREACHABLE or
   * NOT_CAUGHT_UP after the catch-up bounds (about three election timeouts without progress, or
   * ten rounds) and is removed again.
   */
  @Override
  public CompletableFuture<Membership> addMember(MemberId member) {
    Objects.requireNonNull(member, "member");
    CompletableFuture<Membership> future = new CompletableFuture<>();
    onOwner(
        () ->
            membershipRequests.start(
                machine, ChangeRequest.Operation.ADD_MEMBER, member, future, System.nanoTime()),
        future);
    return future;
  }

  @Override
  public CompletableFuture<Membership> removeMember(MemberId member) {
    Objects.requireNonNull(member, "member");
    CompletableFuture<Membership> future = new CompletableFuture<>();
    onOwner(
        () ->
            membershipRequests.start(
                machine, ChangeRequest.Operation.REMOVE_MEMBER, member, future, System.nanoTime()),
        future);
    return future;
  }

  @Override
  public CompletableFuture<MemberId> transferLeadership(MemberId target) {
    Objects.requireNonNull(target, "target");
    CompletableFuture<MemberId> future = new CompletableFuture<>();
    onOwner(
        () ->
            membershipRequests.start(
                machine,
                ChangeRequest.Operation.TRANSFER_LEADERSHIP,
                target,
                future,
                System.nanoTime()),
        future);
    return future;
  }

  /** Runs {@code work} on the owner thread; fails {@code future} if the node cannot take it. */
  private void onOwner(Runnable work, CompletableFuture<?> future) {
    if (!accepting() || !inbox.offerTask(new Event.Task(work))) {
      future.completeExceptionally(
          accepting()
              ? new ProposalRejectedException("inbox of node " + self + " is full: retry later")
              : shutdownException());
    } else if (!accepting()) {
      future.completeExceptionally(shutdownException());
    }
  }

  @Override
  public Membership membership() {
    Membership m = membership;
    return m != null ? m : new Membership(0, spec.initialVoters, Set.of());
  }

  @Override
  public RaftStatus status() {
    RaftStatus s = status;
    if (s == null) {
      return new RaftStatus(self, Role.FOLLOWER, 0, null, 0, 0, 0, List.of());
    }
    long applied = applyWorker.appliedIndex();
    // A node stopped by a fatal error must not keep advertising itself as leader: it reports
    // FOLLOWER with no leader (the cause is in failure()).
    boolean stopped = failure.get() != null;
    if (!stopped && s.appliedIndex() == applied) {
      return s;
    }
    return new RaftStatus(
        s.self(),
        stopped ? Role.FOLLOWER : s.role(),
        s.term(),
        stopped ? null : s.leader(),
        s.commitIndex(),
        applied,
        s.lastLogIndex(),
        s.members());
  }

  @Override
  public void addListener(RaftListener listener) {
    notifier.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Runs a read-only {@code query} against the durable log on the owner thread (the only thread
   * that may touch the log) and completes with its answer: e.g. a per-index term/payload digest to
   * compare replicas. The query must not modify or retain the reader.
   */
  public <T> CompletableFuture<T> inspectLog(Function<LogReader, T> query) {
    CompletableFuture<T> answer = new CompletableFuture<>();
    Event.Task task =
        new Event.Task(
            () -> {
              try {
                answer.complete(query.apply(log));
              } catch (RuntimeException e) {
                answer.completeExceptionally(e);
              }
            });
    if (!accepting() || !inbox.offerTask(task)) {
      answer.completeExceptionally(
          accepting() ? new ProposalRejectedException("inbox full") : shutdownException());
    } else if (!accepting()) {
      answer.completeExceptionally(shutdownException());
    }
    return answer;
  }

  /** The fatal error that stopped this node, if any. */
  public Optional<RaftShutdownException> failure() {
    return Optional.ofNullable(failure.get());
  }

  public MemberId self() {
    return self;
  }

  /** Inbound messages dropped because the inbox was full. */
  public long droppedInboundMessages() {
    return inbox.droppedMessages();
  }

  private void runLoop() {
    List<Event> batch = new ArrayList<>();
    List<Event.Proposal> proposals = new ArrayList<>();
    try {
      while (state.get() == State.RUNNING && failure.get() == null) {
        batch.clear();
        // advance() can itself produce work (a single voter commits on its own fsync; a follower
        // may apply what just became durable): then take what is queued without waiting.
        inbox.drain(batch, BATCH_MAX, machine.hasReady() ? 0 : tickMillis);
        processBatch(batch, proposals);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (state.get() == State.RUNNING) {
        fail(e);
      }
    } catch (Throwable t) {
      fail(t);
    }
    if (failure.get() != null) {
      ticker.close();
      failQueuedProposals(failure.get());
    }
  }

  private void processBatch(List<Event> batch, List<Event.Proposal> proposals) {
    long bytes = 0;
    for (int i = 0; i < batch.size(); i++) {
      Event e = batch.get(i);
      if (e instanceof Event.Inbound inbound) {
        stepOrHandle(inbound.message());
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
      proposeAll(proposals);
      proposals.clear();
    }
    for (int ticks = inbox.takeTicks(); ticks > 0; ticks--) {
      machine.tick();
    }
    if (machine.hasReady()) {
      handleReady(machine.ready());
    }
    publishStatus();
    membershipRequests.afterBatch(machine, System.nanoTime());
  }

  /** Forwarded membership requests are the runner's; everything else goes to the protocol. */
  private void stepOrHandle(RaftMessage message) {
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
  private void proposeAll(List<Event.Proposal> proposals) {
    List<byte[]> payloads = new ArrayList<>(proposals.size());
    for (Event.Proposal p : proposals) {
      payloads.add(p.payload());
    }
    long backlog = applyWorker.backlogBytes();
    if (backlog > spec.applyBacklogBytesMax) {
      RaftException e =
          new ProposalRejectedException(
              "apply backlog of node "
                  + self
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
      for (int i = 0; i < proposals.size(); i++) {
        registry.register(firstIndex + i, term, proposals.get(i).future());
      }
    } catch (RaftException e) {
      for (Event.Proposal p : proposals) {
        p.future().completeExceptionally(e);
      }
    }
  }

  /**
   * The documented Ready order: the leader's AppendEntries leave before its own fsync so
   * replication and the local disk write overlap (thesis §10.2.1); votes and append
   * acknowledgements promise durable state, so they leave only after the sync (Figure 2, "respond
   * after persisting").
   */
  private void handleReady(Ready ready) {
    send(ready.messagesNow());
    writer.persist(ready);
    send(ready.messagesAfterPersist());
    if (!ready.entriesToApply().isEmpty()) {
      // Publish the new commit index before any proposal future can complete on the apply thread:
      // a caller whose entry was applied must never read a status with a smaller commitIndex.
      publishStatus();
    }
    applyWorker.enqueue(ready.entriesToApply());
    machine.advance(ready);
  }

  private void send(List<Envelope> messages) {
    for (Envelope e : messages) {
      transport.send(e.to(), e.message());
    }
  }

  private void publishStatus() {
    RaftStatus next = machine.status(applyWorker.appliedIndex(), tickMillis);
    status = next;
    Membership current = machine.membership();
    if (current != null) {
      if (membership == null || !current.equals(membership)) {
        Map<MemberId, String> peers = PeerAddresses.withMembers(self, spec.peers, current);
        if (peers != null) {
          transport.setPeers(peers);
        }
      }
      membership = current;
    }
    if (next.role() != publishedRole || !Objects.equals(next.leader(), publishedLeader)) {
      if (publishedRole == Role.LEADER && next.role() != Role.LEADER) {
        registry.steppedDown(next.commitIndex());
      }
      LOG.info(
          "graft node {}: {} -> {} in term {}, leader {}",
          self,
          publishedRole,
          next.role(),
          next.term(),
          next.leader());
      publishedRole = next.role();
      publishedLeader = next.leader();
      notifier.notify(next);
    }
  }

  /** Stops the node after an unrecoverable error; callable from any thread, effective once. */
  private void fail(Throwable cause) {
    RaftShutdownException ex =
        new RaftShutdownException(
            "graft node " + self + " stopped after a fatal error: " + cause, cause);
    if (!failure.compareAndSet(null, ex)) {
      return;
    }
    LOG.error("graft node {} STOPPED after a fatal error; it takes no more proposals", self, cause);
    registry.failAll(ex);
    membershipRequests.failAll(ex);
    inbox.wakeUp();
    if (status != null) {
      notifier.notify(status());
    }
  }

  private RaftShutdownException shutdownException() {
    RaftShutdownException f = failure.get();
    return f != null ? f : new RaftShutdownException("graft node " + self + " is not running");
  }

  private void failQueuedProposals(RaftShutdownException cause) {
    List<Event> left = new ArrayList<>();
    inbox.drainRemaining(left);
    for (Event e : left) {
      if (e instanceof Event.Proposal p) {
        p.future().completeExceptionally(cause);
      }
    }
    membershipRequests.failAll(cause);
  }

  /**
   * Stops the ticker and the transport, joins the owner and apply threads (bounded), fails every
   * pending future with {@link RaftShutdownException}, saves the latest commit hint, closes the
   * stores.
   */
  @Override
  public void close() {
    State before = state.getAndSet(State.CLOSING);
    if (before == State.CLOSING || before == State.CLOSED) {
      state.set(before);
      return;
    }
    try {
      ticker.close();
      transport.close();
      if (before == State.RUNNING) {
        inbox.wakeUp();
        joinOwner();
        applyWorker.close();
      }
      RaftShutdownException closed = shutdownException();
      registry.failAll(closed);
      membershipRequests.failAll(closed);
      failQueuedProposals(closed);
      if (before == State.RUNNING && failure.get() == null && !owner.isAlive()) {
        writer.save(machine.hardState(), true);
      }
    } finally {
      writer.close(self);
      notifier.close();
      state.set(State.CLOSED);
      LOG.info("graft node {} closed", self);
    }
  }

  private void joinOwner() {
    try {
      owner.join(TimeUnit.SECONDS.toMillis(10));
      if (owner.isAlive()) {
        LOG.error("graft node {}: owner thread did not stop within 10 s; interrupting", self);
        owner.interrupt();
        owner.join(TimeUnit.SECONDS.toMillis(5));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
