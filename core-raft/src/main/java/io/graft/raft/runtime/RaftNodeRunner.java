package io.graft.raft.runtime;

import io.graft.raft.api.CommitResult;
import io.graft.raft.api.ForcedCluster;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.Membership;
import io.graft.raft.api.MembershipChangeException;
import io.graft.raft.api.RaftListener;
import io.graft.raft.api.RaftNode;
import io.graft.raft.api.RaftShutdownException;
import io.graft.raft.api.RaftStatus;
import io.graft.raft.api.metrics.ConnectionMetrics;
import io.graft.raft.api.metrics.RaftMetrics;
import io.graft.raft.api.metrics.SnapshotMetrics;
import io.graft.raft.message.ChangeRequest;
import io.graft.raft.protocol.HardState;
import io.graft.raft.protocol.log.LogReader;
import io.graft.raft.storage.LogStore;
import io.graft.raft.transport.Transport;
import io.graft.raft.transport.TransportStats;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;

/**
 * A running Raft member: ONE owner thread drives the {@link ConsensusMachine} (docs/STYLE.md §3.3).
 * Other threads only enqueue into the {@link Inbox}; the owner drains it in batches, and each batch
 * yields at most one {@link io.graft.raft.protocol.Ready} ({@link BatchHandler}), carried out by
 * {@link ReadyHandler} in the order documented on {@code Ready}. The fsyncs run on the sync
 * thread while the owner goes on; writes queued meanwhile are made durable together by the next
 * fsync (group commit). {@link StatusPublisher} publishes status and membership to other threads.
 *
 * <p>The owner is the transport's event loop thread when the transport has one ({@link
 * Transport#ownerLoop}, the default {@link RaftNodeBuilder#ownerOnTransportLoop}): each batch is a
 * task there, scheduled by the inbox when something arrives, so a message read by that thread is
 * stepped without a hand-off and the owner's messages are written by it at once ({@link
 * Transport#flush}); otherwise a thread of its own ({@code graft-raft-<self>}) waits on the inbox.
 * Either way one thread at a time, the same one for the node's life ({@link Owner}).
 *
 * <p>Threads: the owner (the transport's {@code graft-net-<self>-…}, or {@code graft-raft-<self>}),
 * log sync ({@code graft-log-sync-<self>}: the fsyncs, see {@link DurableWriter}), ticker, apply
 * worker, listener notifier; plus the transport's own. A fatal error (storage, apply, broken
 * invariant) stops the node and fails every pending future with {@link RaftShutdownException}
 * carrying the cause; see {@link #failure()}.
 */
public final class RaftNodeRunner implements RaftNode {
  private enum State {
    NEW,
    RUNNING,
    CLOSING,
    CLOSED
  }

  private final Logger logger;
  private final RaftNodeBuilder spec;
  private final MemberId self;
  private final LogStore log;
  private final Transport transport;
  private final long tickMillis;
  private final Inbox inbox;
  private final Ticker ticker;
  private final ProposalRegistry registry = new ProposalRegistry();
  private final RaftMetricsRecorder metrics = new RaftMetricsRecorder();
  private final DurableWriter writer;
  private final ApplyWorker applyWorker;
  /** Created at start, where the transport allows: its event loop or a thread of its own. */
  private volatile Owner owner;
  private final ListenerNotifier notifier;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private final AtomicReference<RaftShutdownException> failure = new AtomicReference<>();

  // Owned by the owner thread (and by close() after the owner has been joined).
  private ConsensusMachine machine;

  private final MembershipRequests membershipRequests;
  private final ForcedClusterRequest forcedCluster;
  /** Snapshots and compaction, or null if the state machine has no SnapshotSupport. */
  private final SnapshotCoordinator snapshots;
  private final StatusPublisher statusPublisher;
  private final OwnerRequests requests;
  private final PendingWork pending;
  private final BatchHandler batchHandler;
  private final ReadyHandler readyHandler;

  RaftNodeRunner(RaftNodeBuilder spec) {
    this.spec = spec;
    this.logger = spec.logging.logger(RaftNodeRunner.class);
    this.self = spec.self;
    this.log = spec.logStore;
    this.transport = spec.transport;
    this.tickMillis = spec.tickMillis;
    this.inbox = new Inbox(spec.inboxCapacity);
    this.writer =
        DurableWriter.create(
            spec.logging,
            log,
            spec.metaStore,
            registry,
            metrics,
            spec.logSyncThread ? "graft-log-sync-" + spec.self : null,
            spec.logSyncInlineWhenIdle ? inbox::idle : null,
            inbox::wakeUp,
            this::fail);
    this.ticker = new Ticker("graft-ticker-" + self, tickMillis, inbox);
    this.applyWorker =
        new ApplyWorker("graft-apply-" + self, spec.stateMachine, registry, this::fail);
    this.notifier = new ListenerNotifier(self, spec.listeners, spec.logging);
    long electionNanos =
        TimeUnit.MILLISECONDS.toNanos(spec.config.electionTimeoutTicks() * spec.tickMillis);
    this.membershipRequests =
        MembershipRequests.forElectionTimeout(self, transport::send, electionNanos);
    this.forcedCluster = new ForcedClusterRequest(self, spec.clusterEpoch, spec.logging);
    // Before compaction or a snapshot's log reset: no write in flight, and every finished one
    // completed (its acknowledgements sent while their entries are still on disk).
    this.snapshots =
        SnapshotCoordinator.createIfSupported(
            spec, this::runOnOwner, this::quiesceWrites);
    this.statusPublisher =
        new StatusPublisher(
            spec, registry, applyWorker, notifier, () -> failure.get() != null, metrics);
    this.readyHandler =
        new ReadyHandler(
            transport,
            writer,
            applyWorker::enqueue,
            snapshots != null ? snapshots::onReady : ready -> {},
            statusPublisher::publish,
            metrics,
            System::nanoTime);
    this.pending = new PendingWork(registry, membershipRequests, forcedCluster, inbox);
    this.requests = new OwnerRequests(self, inbox, spec.config.appendBytesMax(),
        spec.inboxCapacity, this::accepting, this::shutdownException, () -> machine,
        membershipRequests, forcedCluster, log);
    this.batchHandler =
        new BatchHandler(
            spec, inbox, registry, applyWorker, membershipRequests, snapshots, readyHandler,
            writer, statusPublisher, forcedCluster, metrics);
  }

  /** Work for the owner thread between batches; dropped (retried later) if the inbox is full. */
  private void runOnOwner(Runnable work) {
    if (!inbox.offerTask(new Event.Task(work))) {
      logger.warn("graft node {}: inbox full, snapshot bookkeeping deferred", self);
    }
  }

  /** Owner thread: see {@link ReadyHandler#quiesce}. */
  private void quiesceWrites() {
    readyHandler.quiesce(machine);
  }

  public static RaftNodeBuilder builder() {
    return new RaftNodeBuilder();
  }

  /** Loads the durable state, builds the machine and starts every thread. */
  public RaftNodeRunner start() {
    if (!state.compareAndSet(State.NEW, State.RUNNING)) {
      throw new IllegalStateException("node " + self + " already started");
    }
    StartState start = StartState.prepare(spec, log, writer, snapshots, applyWorker,
        () -> machine, () -> state.set(State.CLOSED));
    HardState hardState = start.hardState();
    // A member that is not one of the initial voters joins a running cluster: it starts with an
    // empty configuration, never campaigns, and waits for the leader to add it (thesis §4.2.1).
    boolean joining = !spec.initialVoters.contains(self);
    if (joining) {
      logger.info("graft node {} is not an initial voter: joining, waiting for the leader", self);
    }
    machine =
        spec.machineFactory.create(
            spec.config,
            self,
            joining ? Set.of() : spec.initialVoters,
            log,
            hardState,
            new SplittableRandom(spec.randomSeed),
            start.localSnapshot(),
            spec.logging);
    if (!spec.peers.isEmpty()) {
      transport.setPeers(spec.peers);
    }
    // Read before the owner thread starts: from then on only it may touch the log.
    long lastIndex = log.lastIndex();
    long lastTerm = log.term(lastIndex);
    // After the configured peers: adds the members found in the log's configuration.
    statusPublisher.publish(machine);
    // A peer's connection closed: if it was the leader, it may have crashed (kill -9 closes its
    // connections at once): the machine campaigns soon instead of after an election timeout.
    transport.onPeerLost(
        member -> inbox.offerTask(new Event.Task(() -> machine.peerUnreachable(member))));
    transport.start(inbox::offerMessage);
    applyWorker.start();
    owner = new Owner(logger, self,
        spec.ownerOnTransportLoop ? transport.ownerLoop() : null, batchHandler, inbox,
        () -> machine, this::accepting, this::fail, this::ownerLastAct);
    owner.start();
    ticker.start();
    logger.info("graft node {} started: {}, log last index {} (term {}) (tick {} ms{})", self,
        hardState, lastIndex, lastTerm, tickMillis,
        owner.onLoop() ? ", owner on the transport's event loop" : "");
    return this;
  }

  @Override
  public CompletableFuture<CommitResult> propose(byte[] payload) {
    return requests.propose(payload);
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
    return requests.change(
        ChangeRequest.Operation.ADD_MEMBER, Objects.requireNonNull(member, "member"));
  }

  @Override
  public CompletableFuture<Membership> removeMember(MemberId member) {
    return requests.change(
        ChangeRequest.Operation.REMOVE_MEMBER, Objects.requireNonNull(member, "member"));
  }

  @Override
  public CompletableFuture<MemberId> transferLeadership(MemberId target) {
    return requests.change(
        ChangeRequest.Operation.TRANSFER_LEADERSHIP, Objects.requireNonNull(target, "target"));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Runs on the owner thread: refused (LEADER_KNOWN, QUORUM_REACHABLE, NOT_A_VOTER) or the
   * configuration entry is appended at once; the future completes when it has committed, which a
   * single voter does on its own fsync.
   */
  @Override
  public CompletableFuture<ForcedCluster> forceNewCluster() {
    return requests.forceNewCluster();
  }

  @Override
  public Membership membership() {
    return statusPublisher.membership();
  }

  @Override
  public RaftStatus status() {
    return statusPublisher.status();
  }

  @Override
  public RaftMetrics metrics() {
    return metrics.snapshot(statusPublisher.status().term());
  }

  @Override
  public SnapshotMetrics snapshotMetrics() {
    return snapshots == null ? SnapshotMetrics.EMPTY : snapshots.service().metrics();
  }

  @Override
  public ConnectionMetrics connectionMetrics() {
    TransportStats s = transport.stats();
    return s == null ? ConnectionMetrics.EMPTY : new ConnectionMetrics(
        s.handshakesRejectedByReason(), s.reconnects(), s.badFrames(), s.outboundDropped(),
        s.connectedPeers(), s.lastHandshakeRejection());
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
    return requests.inspectLog(query);
  }

  /** The fatal error that stopped this node, if any. */
  @Override
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

  /** The owner's last act, on it: after a failure the ticker stops and queued work fails. */
  private void ownerLastAct() {
    if (failure.get() != null) {
      ticker.close();
      pending.failQueued(failure.get());
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
    logger.error("graft node {} STOPPED after a fatal error; it takes no more proposals", self,
        cause);
    pending.failTaken(ex);
    inbox.wakeUp();
    if (statusPublisher.published()) {
      notifier.notify(status());
    }
  }

  private RaftShutdownException shutdownException() {
    RaftShutdownException f = failure.get();
    return f != null ? f : new RaftShutdownException("graft node " + self + " is not running");
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
      Owner o = owner; // null if start failed before creating it
      if (before == State.RUNNING && o != null && o.onLoop()) {
        // Its last turn must run before the transport's loop is shut down.
        inbox.wakeUp();
        o.awaitStop();
      }
      transport.close();
      if (snapshots != null) {
        snapshots.close();
      }
      if (before == State.RUNNING) {
        inbox.wakeUp();
        if (o != null) {
          o.awaitStop();
        }
        applyWorker.close();
      }
      RaftShutdownException closed = shutdownException();
      pending.failTaken(closed);
      pending.failQueued(closed);
      if (before == State.RUNNING && failure.get() == null && (o == null || o.hasStopped())) {
        // Writes still queued become durable (their Readies are simply never advanced), then
        // the latest commit hint is saved.
        writer.awaitIdle();
        writer.saveOnClose(machine.hardState());
      }
    } finally {
      writer.close(self);
      PreallocationThread.stop(spec.preallocation);
      notifier.close();
      state.set(State.CLOSED);
      logger.info("graft node {} closed", self);
    }
  }
}
