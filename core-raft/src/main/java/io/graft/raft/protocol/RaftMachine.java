package io.graft.raft.protocol;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.NotLeaderException;
import io.graft.raft.api.ProposalRejectedException;
import io.graft.raft.api.RaftStatus;
import io.graft.raft.api.Role;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.Envelope;
import io.graft.raft.message.InstallSnapshot;
import io.graft.raft.message.LogEntry;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.protocol.log.LogReader;
import io.graft.raft.protocol.log.RaftLog;
import io.graft.raft.protocol.membership.Configuration;
import io.graft.raft.protocol.progress.Progress;
import io.graft.raft.protocol.quorum.MajorityConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * The pure Raft protocol: messages, ticks and proposals in; a {@link Ready} out. No threads, clocks
 * or I/O. NOT thread-safe by contract: one owner thread calls everything.
 *
 * <p>The state lives here; the role logic lives in {@link ElectionStep} (timeouts, PreVote,
 * RequestVote), {@link FollowerStep} (AppendEntries/Heartbeat receiver rules) and {@link
 * LeaderStep} (replication, flow control, commit). {@link MessageRouter} applies the term rules of
 * §5.1 and dispatches by role. Every public mutator ends with {@link #checkInvariants()}.
 *
 * <p>Usage: after any {@code step}/{@code tick}/{@code propose}, if {@link #hasReady()} call {@link
 * #ready()}, carry it out in the order its Javadoc gives, then {@link #advance(Ready)} before the
 * next {@code ready()}.
 */
public final class RaftMachine {
  final RaftConfig config;
  final MemberId self;
  final RandomGenerator random;
  final RaftLog log;
  Configuration configuration;
  /** Derived from {@link #configuration}; cached because commit and tallies use it per message. */
  MajorityConfig majority;

  long term;
  MemberId votedFor;
  Role role = Role.FOLLOWER;
  MemberId leader;

  int electionElapsed;
  int heartbeatElapsed;
  int randomizedElectionTimeout;
  long tickCount;

  /** Leader only: one Progress per other voter (§5.3 nextIndex/matchIndex). */
  final Map<MemberId, Progress> progress = new TreeMap<>();

  /** (Pre-)candidate only: the first response of each voter in this round (§5.2). */
  final Map<MemberId, Boolean> votes = new TreeMap<>();

  /** Leader only: target of a leadership transfer in progress (thesis §3.10), else null. */
  MemberId leadTransferee;

  int transferElapsed;

  /** Leader only: payload bytes proposed in this term and not yet committed (back-pressure). */
  long uncommittedBytes;

  final List<Envelope> messagesNow = new ArrayList<>();
  final List<Envelope> messagesAfterPersist = new ArrayList<>();
  final List<SnapshotSend> snapshotsToSend = new ArrayList<>();
  final List<InstallSnapshot> snapshotChunks = new ArrayList<>();

  /** The newest complete snapshot the runtime can send (thesis §5.3), or null if none. */
  SnapshotMeta snapshot;

  private final ElectionStep election = new ElectionStep(this);
  private final SnapshotStep snapshotStep = new SnapshotStep(this);
  private final LeaderStep leaderStep = new LeaderStep(this, snapshotStep);
  private final MessageRouter router;

  private HardState lastReadyHardState;
  private SoftState lastReadySoftState;
  private long appliedHandedOut;
  private Ready pendingReady;
  private final InvariantChecker invariants = new InvariantChecker(this);

  /**
   * @param self this member
   * @param initialVoters the founding voters (used when the log holds no configuration entry)
   * @param log the durable log as of start (the runtime appends to it after each Ready)
   * @param hardState the durable term/vote/commit as of start
   * @param random seeded source of election jitter
   */
  public RaftMachine(
      RaftConfig config,
      MemberId self,
      Set<MemberId> initialVoters,
      LogReader log,
      HardState hardState,
      RandomGenerator random) {
    this.config = config.validate();
    this.self = Objects.requireNonNull(self, "self");
    this.random = Objects.requireNonNull(random, "random");
    this.configuration = Configuration.ofVoters(initialVoters);
    this.majority = configuration.majority();
    this.log = new RaftLog(log, hardState.commitIndex());
    this.term = hardState.term();
    this.votedFor = hardState.votedFor();
    this.router =
        new MessageRouter(this, election, new FollowerStep(this), leaderStep, snapshotStep);
    // Restart contract: every committed entry after the snapshot is handed out again.
    this.appliedHandedOut = log.snapshotIndex();
    resetRandomizedElectionTimeout();
    this.lastReadyHardState = durableHardState();
    this.lastReadySoftState = softState();
    invariants.check();
  }

  /** Handles one inbound message (from any member, any term). */
  public void step(RaftMessage message) {
    Objects.requireNonNull(message, "message");
    if (!message.from().equals(self)) {
      router.route(message);
    }
    invariants.check();
  }

  /** Advances logical time by one tick (election and heartbeat timers, CheckQuorum). */
  public void tick() {
    tickCount++;
    if (role == Role.LEADER) {
      leaderStep.tick();
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
    if (leadTransferee != null) {
      throw new ProposalRejectedException(
          "leadership transfer from "
              + self
              + " to "
              + leadTransferee
              + " in progress; retry on the new leader");
    }
    long first = log.lastIndex() + 1;
    List<LogEntry> entries = new ArrayList<>(payloads.size());
    long bytes = 0;
    for (byte[] payload : payloads) {
      LogEntry entry = new LogEntry(term, first + entries.size(), EntryType.APPLICATION, payload);
      bytes += entry.sizeBytes();
      entries.add(entry);
    }
    if (uncommittedBytes + bytes > config.uncommittedBytesMax()) {
      throw new ProposalRejectedException(
          String.format(
              "back-pressure: %d uncommitted bytes + %d proposed would exceed uncommittedBytesMax"
                  + " %d; retry once earlier entries commit",
              uncommittedBytes, bytes, config.uncommittedBytesMax()));
    }
    uncommittedBytes += bytes;
    log.append(entries);
    leaderStep.broadcastAppend();
    invariants.check();
    return first;
  }

  /**
   * Starts a leadership transfer to {@code target} (thesis §3.10): the leader stops accepting
   * proposals, brings the target's log up to date, then sends it TimeoutNow. The transfer is
   * abandoned after an election timeout if the target has not taken over.
   *
   * @throws NotLeaderException if not leader
   * @throws IllegalArgumentException if {@code target} is not a voter
   */
  public void transferLeadership(MemberId target) {
    if (role != Role.LEADER) {
      throw new NotLeaderException(self, leader);
    }
    if (!configuration.isVoter(target)) {
      throw new IllegalArgumentException(target + " is not a voter of " + configuration.voters());
    }
    if (!target.equals(self)) {
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

  /** The newest snapshot this machine may send, or null. */
  public SnapshotMeta snapshot() {
    return snapshot;
  }

  /** True when {@link #ready()} would carry anything (and the previous Ready was advanced). */
  public boolean hasReady() {
    if (pendingReady != null) {
      return false;
    }
    // Allocation-free: the owner polls this after every event. A commit-hint-only change does not
    // need a Ready of its own: it rides along with the next one (a commit that moves always brings
    // entries to apply anyway).
    return !messagesNow.isEmpty()
        || !messagesAfterPersist.isEmpty()
        || !snapshotsToSend.isEmpty()
        || !snapshotChunks.isEmpty()
        || log.hasUnstable()
        || term != lastReadyHardState.term()
        || !Objects.equals(votedFor, lastReadyHardState.votedFor())
        || role != lastReadySoftState.role()
        || term != lastReadySoftState.term()
        || !Objects.equals(leader, lastReadySoftState.leader())
        || appliedHandedOut < applicableIndex();
  }

  /**
   * The pending effects; call {@link #advance} once they are carried out, before the next ready().
   * Committed entries are handed out in {@code entriesToApply} exactly once each, in order.
   */
  public Ready ready() {
    Invariants.check(pendingReady == null, "ready() called again before advance()");
    HardState hard = durableHardState();
    HardState hardOut = hard.equals(lastReadyHardState) ? null : hard;
    boolean voteOrTermChanged =
        hard.term() != lastReadyHardState.term()
            || !Objects.equals(hard.votedFor(), lastReadyHardState.votedFor());
    List<LogEntry> toPersist = log.unstableEntries();
    List<LogEntry> toApply = List.of();
    long applicable = applicableIndex();
    if (appliedHandedOut < applicable) {
      toApply = log.entries(appliedHandedOut + 1, applicable + 1, config.appendBytesMax());
      appliedHandedOut = toApply.get(toApply.size() - 1).index();
    }
    Ready ready =
        new Ready(
            softState(),
            hardOut,
            toPersist,
            messagesNow,
            messagesAfterPersist,
            toApply,
            !toPersist.isEmpty() || voteOrTermChanged,
            snapshotsToSend,
            snapshotChunks);
    messagesNow.clear();
    messagesAfterPersist.clear();
    snapshotsToSend.clear();
    snapshotChunks.clear();
    lastReadyHardState = hard;
    lastReadySoftState = ready.softState();
    pendingReady = ready;
    return ready;
  }

  /**
   * Acknowledges that everything in {@code ready} was carried out (entries durable, messages sent).
   */
  public void advance(Ready ready) {
    Invariants.check(ready == pendingReady, "advance() with a Ready that is not the pending one");
    pendingReady = null;
    if (!ready.entriesToPersist().isEmpty()) {
      LogEntry last = ready.entriesToPersist().get(ready.entriesToPersist().size() - 1);
      log.stableTo(last.index(), last.term());
      if (role == Role.LEADER) {
        // The leader counts itself only once its own entries are durable (thesis §10.2.1).
        leaderStep.maybeCommitAndBroadcast();
      }
    }
    invariants.check();
  }

  public MemberId self() {
    return self;
  }

  public SoftState softState() {
    return new SoftState(role, term, leader);
  }

  /**
   * Current term and vote, with the commit hint capped like {@link Ready#hardState} (at the last
   * index acknowledged durable by {@code advance}), so it is always safe to save, e.g. at shutdown.
   * The machine's full commit index is {@link #commitIndex()}.
   */
  public HardState hardState() {
    return durableHardState();
  }

  /**
   * The hard state to persist: the commit hint is capped at the last index that was durable before
   * the Ready being built, so that a crash after saving it but before the log's sync can never
   * leave a hint beyond the durable log (nor over stale entries whose truncation was not yet
   * synced).
   */
  private HardState durableHardState() {
    return new HardState(term, votedFor, Math.min(log.commitIndex(), log.persistedIndex()));
  }

  public long term() {
    return term;
  }

  public long commitIndex() {
    return log.commitIndex();
  }

  public long lastIndex() {
    return log.lastIndex();
  }

  public Role role() {
    return role;
  }

  public MemberId leader() {
    return leader;
  }

  public Configuration configuration() {
    return configuration;
  }

  /** Leader only: the replication progress of a follower (null elsewhere); for tests and status. */
  public Progress progress(MemberId member) {
    return progress.get(member);
  }

  /**
   * Status rows as the protocol sees them (roles, voting, match index; lastContact in ticks since
   * last heard, -1 if unknown). The runtime converts ticks to milliseconds and adds the applied
   * index.
   */
  public RaftStatus status(long appliedIndex, long tickMillis) {
    return StatusView.of(this, appliedIndex, tickMillis);
  }

  // ---- transitions shared by the role steps (etcd-io/raft become*) ----

  /** Committed entries are applicable once durable; this Ready persists the whole tail first. */
  private long applicableIndex() {
    return Math.min(log.commitIndex(), log.lastIndex());
  }

  void becomeFollower(long newTerm, MemberId newLeader) {
    reset(newTerm);
    role = Role.FOLLOWER;
    leader = newLeader;
  }

  void becomePreCandidate() {
    Invariants.check(role != Role.LEADER, "leader cannot become pre-candidate");
    // §9.6: PreVote does not bump the term nor change the vote.
    reset(term);
    role = Role.PRE_CANDIDATE;
  }

  void becomeCandidate() {
    Invariants.check(role != Role.LEADER, "leader cannot become candidate");
    reset(term + 1);
    votedFor = self; // §5.2: a candidate votes for itself (durable before its RequestVotes leave)
    role = Role.CANDIDATE;
  }

  void becomeLeader() {
    Invariants.check(role == Role.CANDIDATE, "only a candidate becomes leader, was %s", role);
    reset(term);
    role = Role.LEADER;
    leader = self;
    for (MemberId voter : configuration.voters()) {
      if (!voter.equals(self)) {
        progress.put(voter, new Progress(log.lastIndex() + 1, config.inflightAppendsMax()));
      }
    }
    // §3.6.2 / Figure 8: commit earlier-term entries through an entry of the new term, at once.
    long index = log.lastIndex() + 1;
    log.append(List.of(new LogEntry(term, index, EntryType.NOOP, null)));
    leaderStep.broadcastAppend();
  }

  private void reset(long newTerm) {
    if (newTerm != term) {
      term = newTerm;
      votedFor = null;
    }
    leader = null;
    electionElapsed = 0;
    heartbeatElapsed = 0;
    resetRandomizedElectionTimeout();
    votes.clear();
    progress.clear();
    leadTransferee = null;
    transferElapsed = 0;
    uncommittedBytes = 0;
  }

  /** §5.2: randomized in [electionTimeoutTicks, 2 * electionTimeoutTicks). */
  void resetRandomizedElectionTimeout() {
    randomizedElectionTimeout =
        config.electionTimeoutTicks() + random.nextInt(config.electionTimeoutTicks());
  }

  boolean promotable() {
    return configuration.isVoter(self);
  }

  void sendNow(MemberId to, RaftMessage message) {
    messagesNow.add(new Envelope(to, message));
  }

  void sendAfterPersist(MemberId to, RaftMessage message) {
    messagesAfterPersist.add(new Envelope(to, message));
  }

  long appliedHandedOut() {
    return appliedHandedOut;
  }

  /** After a snapshot restore: entries up to it are in the state machine, never handed out. */
  void restoreAppliedHandedOut(long index) {
    appliedHandedOut = Math.max(appliedHandedOut, index);
  }
}
