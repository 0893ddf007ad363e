package io.graft.raft.protocol;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Membership;
import io.graft.raft.api.MembershipChangeException;
import io.graft.raft.api.NotLeaderException;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.api.RaftStatus;
import io.graft.raft.api.Role;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.message.RequestVote;
import io.graft.raft.protocol.log.LogReader;
import io.graft.raft.protocol.membership.ChangeOutcome;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The pure Raft protocol: messages, ticks and proposals in; a {@link Ready} out. No threads, clocks
 * or I/O. NOT thread-safe by contract: one owner thread calls everything.
 *
 * <p>The state lives in {@link MachineState} (recovered at start, read through its accessors);
 * the role logic lives in {@link ElectionStep} (timeouts, PreVote, RequestVote), {@link
 * FollowerStep} (AppendEntries/Heartbeat receiver rules) and {@link LeaderStep} (replication,
 * flow control, commit), with {@link MembershipStep} (§4.1 changes) and
 * {@link SnapshotStep} (§5.3 transfers). {@link MessageRouter} applies the term rules of §5.1 and
 * dispatches by role. {@link RoleTransitions} changes roles, {@link ConfigurationTracker} keeps the
 * latest configuration in use, and {@link ReadyTracker} collects the effects into a {@link Ready}.
 * Every public mutator ends with an {@link InvariantChecker} check.
 *
 * <p>Usage: after any {@code step}/{@code tick}/{@code propose}, if {@link #hasReady()} call {@link
 * #ready()} and carry it out in the order its Javadoc gives; once its persist step is durable, call
 * {@link #advance(Ready)}. Several Readies may be in flight; they are advanced in order.
 */
public final class RaftMachine extends MachineState {
  final RoleTransitions roles = new RoleTransitions(this);
  final ConfigurationTracker configTracker = new ConfigurationTracker(this);
  final ReadyTracker readyTracker;
  private final ElectionStep election;
  private final SnapshotStep snapshotStep = new SnapshotStep(this);
  private final LeaderStep leaderStep = new LeaderStep(this, snapshotStep);
  private final MembershipStep membershipStep = new MembershipStep(this);
  private final ForceNewClusterStep forceStep = new ForceNewClusterStep(this);
  private final MessageRouter router;
  private final InvariantChecker invariants = new InvariantChecker(this);

  /**
   * @param self this member
   * @param initialVoters the founding voters, used when the log holds no configuration entry;
   *     empty for a member that joins a running cluster (it waits for the leader, never campaigns)
   * @param log the durable log as of start (the runtime appends to it after each Ready)
   * @param hardState the durable term/vote/commit as of start
   * @param random seeded source of election jitter
   * @param logging where the machine's one kind of line goes (each real vote, ElectionStep): a
   *     write-only effect that never feeds back into the state
   */
  public RaftMachine(
      RaftConfig config,
      MemberId self,
      Set<MemberId> initialVoters,
      LogReader log,
      HardState hardState,
      RandomGenerator random,
      RaftLogging logging) {
    this(config, self, initialVoters, log, hardState, random, null, logging);
  }

  /**
   * As above, for a member that holds a snapshot: {@code snapshot} (the newest local one, or null)
   * is offered to followers behind the compacted log, and its configuration is the one in force
   * at its index (thesis §5.1: the log prefix it replaced may have held configuration entries).
   * A snapshot beyond the log's commit index (an install interrupted by a crash before the log was
   * reset) must be finished by the runtime first: reset the log to it as for {@link
   * #restoreSnapshot}; otherwise its configuration is not used.
   */
  public RaftMachine(
      RaftConfig config,
      MemberId self,
      Set<MemberId> initialVoters,
      LogReader log,
      HardState hardState,
      RandomGenerator random,
      SnapshotMeta snapshot,
      RaftLogging logging) {
    super(config, self, initialVoters, log, hardState, random, snapshot);
    if (term > hardState.term()) {
      logging.logger(RaftMachine.class).info("graft node {}: the log holds entries of term {} but"
          + " the saved term is {} (a crash between writing them and saving the term): starting"
          + " in term {} as a member that voted in it", self, term, hardState.term(), term);
    }
    this.election = new ElectionStep(this, logging.logger(ElectionStep.class));
    this.router =
        new MessageRouter(this, election, new FollowerStep(this), leaderStep, snapshotStep);
    roles.resetRandomizedElectionTimeout();
    // Restart contract: every committed entry after the snapshot is handed out again.
    this.readyTracker = new ReadyTracker(this, log.snapshotIndex());
    invariants.check();
  }

  /** Handles one inbound message (from any member, any term). */
  public void step(RaftMessage message) {
    Objects.requireNonNull(message, "message");
    if (!message.from().equals(self)) {
      forceStep.heard(message.from());
      router.route(message);
    }
    invariants.check();
  }

  /**
   * The runtime lost its connection to {@code peer} (it may have crashed). A follower whose leader
   * that is campaigns soon instead of after a full election timeout (with PreVote only; see {@link
   * ElectionStep#onPeerLost}).
   */
  public void peerUnreachable(MemberId peer) {
    for (RequestVote ignored : election.onPeerLost(Objects.requireNonNull(peer, "peer"))) {
      router.route(ignored); // PreVotes ignored under that leader's lease, answered now
    }
    invariants.check();
  }

  /** Advances logical time by one tick (election and heartbeat timers, CheckQuorum). */
  public void tick() {
    tickCount++;
    if (role == Role.LEADER) {
      leaderStep.tick();
      if (role == Role.LEADER) {
        membershipStep.tick();
      }
    } else {
      election.tick();
    }
    invariants.check();
  }

  /**
   * Appends application payloads to the leader's log (in memory; durable after the Ready that
   * carries them is persisted). Returns the index of the first; the rest follow densely, all in
   * {@link #term()}.
   *
   * @throws io.graft.raft.api.NotLeaderException if not leader
   * @throws io.graft.raft.api.ProposalRejectedException on back-pressure (uncommitted bytes bound)
   *     or during a leadership transfer
   */
  public long propose(List<byte[]> payloads) {
    if (payloads.isEmpty()) {
      throw new IllegalArgumentException("propose needs at least one payload");
    }
    if (role != Role.LEADER) {
      throw new NotLeaderException(self, leader);
    }
    long first = leaderStep.propose(payloads);
    invariants.check();
    return first;
  }

  /**
   * Starts a leadership transfer to {@code target} (thesis §3.10): the leader stops accepting
   * proposals, brings the target's log up to date, then sends it TimeoutNow. The transfer is
   * abandoned after an election timeout if the target has not taken over.
   *
   * @throws NotLeaderException if not leader
   * @throws MembershipChangeException INVALID_TARGET if {@code target} is not a voter or is far
   *     behind ({@link TransferCheck}); CHANGE_IN_PROGRESS during a membership change
   */
  public void transferLeadership(MemberId target) {
    if (role != Role.LEADER) {
      throw new NotLeaderException(self, leader);
    }
    if (!target.equals(self)) {
      TransferCheck.check(this, target, membershipStep.inProgress());
      leaderStep.startTransfer(target);
    }
    invariants.check();
  }

  /**
   * Tells the machine that a complete snapshot exists locally and may be sent to followers whose
   * entries were compacted away (thesis §5.3). Called by the runtime at start and after each
   * snapshot it takes or installs. Older snapshots than the known one are ignored.
   */
  public void snapshotAvailable(SnapshotMeta available) {
    Objects.requireNonNull(available, "available");
    if (snapshot == null || available.index() > snapshot.index()) {
      snapshot = available;
      snapshotStep.onSnapshotAvailable();
    }
    invariants.check();
  }

  /**
   * Adopts a snapshot that the runtime has verified and installed into the state machine (thesis
   * §5.3 InstallSnapshot receiver rules 6-8). Before calling, the runtime makes the durable log
   * start at the snapshot: if the log holds an entry at {@code snapshot.index()} with its term,
   * {@code compactPrefix} keeps the suffix after it; otherwise the log is truncated after
   * commitIndex and compacted to the snapshot, discarding it entirely. Afterwards commitIndex, the
   * handed-out applied index and the configuration are the snapshot's, and {@code replyTo} (the
   * leader that sent it, may be null) is told the transfer is done.
   *
   * @return false if the snapshot is not beyond commitIndex (nothing changes but the reply)
   */
  public boolean restoreSnapshot(SnapshotMeta installed, MemberId replyTo) {
    boolean restored = snapshotStep.restore(installed, replyTo);
    if (restored && (snapshot == null || installed.index() > snapshot.index())) {
      snapshot = installed;
    }
    invariants.check();
    return restored;
  }

  /**
   * Leader: starts adding {@code member} (thesis §4.1, §4.2.1): appends a configuration with it as
   * a learner, catches it up in rounds, then promotes it. The outcome is reported later by {@link
   * #takeChangeOutcomes()} under {@code requestId}.
   *
   * @throws MembershipChangeException NOT_LEADER, CHANGE_IN_PROGRESS or ALREADY_MEMBER
   */
  public void addMember(long requestId, MemberId member) {
    membershipStep.addMember(requestId, Objects.requireNonNull(member, "member"));
    invariants.check();
  }

  /**
   * Leader: starts removing {@code member} (thesis §4.1), the leader included (§4.2.2). The outcome
   * is reported by {@link #takeChangeOutcomes()} once the new configuration commits.
   *
   * @throws MembershipChangeException NOT_LEADER, CHANGE_IN_PROGRESS, UNKNOWN_MEMBER or
   *     WOULD_BREAK_QUORUM
   */
  public void removeMember(long requestId, MemberId member) {
    membershipStep.removeMember(requestId, Objects.requireNonNull(member, "member"));
    invariants.check();
  }

  /**
   * Recovery after losing a majority for good (see {@link ForceNewClusterStep}): this voter
   * becomes the only voter of a new cluster incarnation {@code epoch} and its leader, keeping its
   * whole log. Refused while a leader is known or a majority may be reachable.
   *
   * @throws MembershipChangeException LEADER_KNOWN, QUORUM_REACHABLE or NOT_A_VOTER
   */
  public ForcedConfiguration forceNewCluster(long epoch) {
    ForcedConfiguration forced = forceStep.force(epoch);
    invariants.check();
    return forced;
  }

  /** Changes that finished (committed or failed) since the last call; each reported once. */
  public List<ChangeOutcome> takeChangeOutcomes() {
    return membershipStep.takeOutcomes();
  }

  /** True while a membership change is in flight (entry uncommitted, catch-up, clean-up). */
  public boolean membershipChangeInProgress() {
    return membershipStep.inProgress();
  }

  /** The configuration this member uses: the latest in its log, committed or not (§4.1). */
  public Membership membership() {
    return membershipStep.membership();
  }

  /** True when {@link #ready()} would carry anything new. */
  public boolean hasReady() {
    return readyTracker.hasReady();
  }

  /**
   * The pending effects; call {@link #advance} once its persist step is durable (Readies in the
   * order they were handed out). Unstable entries are handed out in {@code entriesToPersist}, and
   * committed, durable ones in {@code entriesToApply}, exactly once each, in order.
   */
  public Ready ready() {
    return readyTracker.ready();
  }

  /**
   * Acknowledges that {@code ready}'s persist step is durable (and its messagesAfterPersist sent):
   * the oldest Ready in flight.
   */
  public void advance(Ready ready) {
    if (readyTracker.advance(ready) && role == Role.LEADER) {
      // The leader counts itself only once its own entries are durable (thesis §10.2.1).
      leaderStep.maybeCommitAndBroadcast();
    }
    HardState saved = ready.hardState();
    if (saved != null && saved.term() == term && self.equals(saved.votedFor())) {
      election.onOwnVoteDurable(); // a candidate's vote for itself counts from now on
    }
    invariants.check();
  }

  /** Readies handed out by {@link #ready()} and not yet advanced. */
  public int readiesInFlight() {
    return readyTracker.inFlight();
  }

  /**
   * Current term and vote, with the commit hint capped like {@link Ready#hardState} (at the last
   * index acknowledged durable by {@code advance}), so it is always safe to save, e.g. at shutdown.
   * The machine's full commit index is {@link #commitIndex()}.
   */
  public HardState hardState() {
    return readyTracker.durableHardState();
  }

  /**
   * Status rows as the protocol sees them (roles, voting, match index; lastContact in ticks since
   * last heard, -1 if unknown). The runtime converts ticks to milliseconds and adds the applied
   * index.
   */
  public RaftStatus status(long appliedIndex, long tickMillis) {
    return StatusView.of(this, appliedIndex, tickMillis);
  }

  LeaderStep leaderStep() {
    return leaderStep;
  }

  MembershipStep membershipStep() {
    return membershipStep;
  }

  void sendNow(MemberId to, RaftMessage message) {
    readyTracker.sendNow(to, message);
  }

  void sendAfterPersist(MemberId to, RaftMessage message) {
    readyTracker.sendAfterPersist(to, message);
  }
}
