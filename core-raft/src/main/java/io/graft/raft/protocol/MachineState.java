package io.graft.raft.protocol;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Role;
import io.graft.raft.protocol.log.LogReader;
import io.graft.raft.protocol.log.RaftLog;
import io.graft.raft.protocol.membership.Configuration;
import io.graft.raft.protocol.membership.ConfigurationLog;
import io.graft.raft.protocol.progress.Progress;
import io.graft.raft.protocol.quorum.MajorityConfig;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * The state of one member as the protocol keeps it (thesis Figure 3.1: persistent term and vote,
 * the log, volatile role and timers, the leader's per-follower progress, the candidate's votes),
 * recovered from the durable log, hard state and newest snapshot at start, and read through its
 * accessors. The rules that change it live in the steps ({@link ElectionStep}, {@link
 * FollowerStep}, {@link LeaderStep}, {@link MembershipStep}, {@link SnapshotStep}), reached
 * through {@link RaftMachine}, the protocol's one front door; its fields are package-private so
 * that each step reads and writes them as {@code m.term}, {@code m.role}, ...
 */
abstract class MachineState {
  final RaftConfig config;
  final MemberId self;
  final RandomGenerator random;
  final RaftLog log;
  /** The latest configuration in the log (thesis §4.1); cached from {@link #configs}. */
  Configuration configuration;

  /** The configurations carried by the log: the latest one is used, committed or not. */
  final ConfigurationLog configs;

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

  /** Candidate: its vote for itself is not durable yet, so not counted (ElectionStep#campaign). */
  boolean ownVotePending;

  /** Leader only: target of a leadership transfer in progress (thesis §3.10), else null. */
  MemberId leadTransferee;

  int transferElapsed;

  /** Leader only: payload bytes proposed in this term and not yet committed (back-pressure). */
  long uncommittedBytes;

  /** Times this member became a candidate / started a PreVote round (for metrics). */
  long electionsStarted;

  long preVotesStarted;

  /** The newest complete snapshot the runtime can send (thesis §5.3), or null if none. */
  SnapshotMeta snapshot;

  /** Always {@link Mutation#NONE} outside the mutation proof (tests in this package only). */
  Mutation mutation = Mutation.NONE;

  /**
   * Recovers the state as of start. A {@code snapshot} (the newest local one, or null) is used for
   * the configuration in force only if it lies within the log's committed prefix (see {@link
   * RaftMachine}'s constructor).
   */
  MachineState(
      RaftConfig config,
      MemberId self,
      Set<MemberId> initialVoters,
      LogReader log,
      HardState hardState,
      RandomGenerator random,
      SnapshotMeta snapshot) {
    this.config = config.validate();
    this.self = Objects.requireNonNull(self, "self");
    this.random = Objects.requireNonNull(random, "random");
    this.log = new RaftLog(log, hardState.commitIndex());
    boolean fromSnapshot = snapshot != null && snapshot.index() >= log.snapshotIndex()
        && snapshot.index() <= this.log.commitIndex();
    this.snapshot = snapshot;
    this.configs =
        ConfigurationLog.recover(
            log,
            this.log.commitIndex(),
            fromSnapshot ? snapshot.configuration() : Configuration.ofVoters(initialVoters),
            fromSnapshot ? snapshot.index() : log.snapshotIndex());
    this.configuration = configs.latest();
    this.majority = configuration.majority();
    long lastLogTerm = this.log.term(this.log.lastIndex());
    if (lastLogTerm > hardState.term()) {
      // The log holds entries of a term the saved hard state has not reached: they were written
      // before the term was saved (the owner writes, the sync thread saves; after kill -9 every
      // write survives): a follower's entries of a new leader, or a forced configuration
      // (forceNewCluster leads its new term at once). Restarted in the older term, a member that
      // led that term could lead it a second time and write a different entry at an index it
      // already wrote (Log Matching). It takes up the term as one that voted (for itself) in it:
      // it neither leads nor elects anyone else in that term again. A follower never voted in a
      // term it had not saved (a vote leaves only once saved), so this only keeps it from voting
      // in a term that already has a leader.
      this.term = lastLogTerm;
      this.votedFor = self;
    } else {
      this.term = hardState.term();
      this.votedFor = hardState.votedFor();
    }
  }

  public MemberId self() {
    return self;
  }

  public SoftState softState() {
    return new SoftState(role, term, leader);
  }

  public long term() {
    return term;
  }

  /** Times this member became a candidate (its own elections, transfers included). */
  public long electionsStarted() {
    return electionsStarted;
  }

  /** PreVote rounds this member started (thesis §9.6). */
  public long preVotesStarted() {
    return preVotesStarted;
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

  /** The newest snapshot this machine may send, or null. */
  public SnapshotMeta snapshot() {
    return snapshot;
  }

  /** Leader only: the member a leadership transfer is handing over to, else null. */
  public MemberId transferTarget() {
    return leadTransferee;
  }
}
