package io.graft.raft.runtime;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Membership;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.api.RaftStatus;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.protocol.ForcedConfiguration;
import io.graft.raft.protocol.HardState;
import io.graft.raft.protocol.RaftConfig;
import io.graft.raft.protocol.RaftMachine;
import io.graft.raft.protocol.Ready;
import io.graft.raft.protocol.SnapshotMeta;
import io.graft.raft.protocol.SoftState;
import io.graft.raft.protocol.log.LogReader;
import io.graft.raft.protocol.membership.ChangeOutcome;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The slice of {@link RaftMachine} the runner drives. A seam so runtime tests can also drive a
 * scripted machine (e.g. one that throws at a chosen point); production always uses RaftMachine.
 */
interface ConsensusMachine {

  void step(RaftMessage message);

  void tick();

  /** The connection to {@code peer} was lost; see {@link RaftMachine#peerUnreachable}. */
  default void peerUnreachable(MemberId peer) {}

  long propose(List<byte[]> payloads);

  boolean hasReady();

  Ready ready();

  void advance(Ready ready);

  SoftState softState();

  HardState hardState();

  long term();

  long commitIndex();

  RaftStatus status(long appliedIndex, long tickMillis);

  /** Times this member became a candidate; 0 for scripted machines. */
  default long electionsStarted() {
    return 0;
  }

  /** PreVote rounds this member started; 0 for scripted machines. */
  default long preVotesStarted() {
    return 0;
  }

  // ---- membership changes and leadership transfer (thesis §4, §3.10) ----
  // Defaults serve scripted test machines that have no membership support.

  /** Starts adding {@code member}; see {@link RaftMachine#addMember}. */
  default void addMember(long requestId, MemberId member) {
    throw new UnsupportedOperationException("membership changes");
  }

  /** Starts removing {@code member}; see {@link RaftMachine#removeMember}. */
  default void removeMember(long requestId, MemberId member) {
    throw new UnsupportedOperationException("membership changes");
  }

  /** Finished changes since the last call. */
  default List<ChangeOutcome> takeChangeOutcomes() {
    return List.of();
  }

  /** Starts a leadership transfer; see {@link RaftMachine#transferLeadership}. */
  default void transferLeadership(MemberId target) {
    throw new UnsupportedOperationException("leadership transfer");
  }

  /** Target of the leadership transfer in progress, or null. */
  default MemberId transferTarget() {
    return null;
  }

  /** Re-forms the cluster around this member; see {@link RaftMachine#forceNewCluster}. */
  default ForcedConfiguration forceNewCluster(long epoch) {
    throw new UnsupportedOperationException("forceNewCluster");
  }

  /** The configuration in use, or null if unknown. */
  default Membership membership() {
    return null;
  }

  // ---- snapshots (thesis §5.3); defaults for scripted machines without snapshot support ----

  /** A complete local snapshot exists; see {@link RaftMachine#snapshotAvailable}. */
  default void snapshotAvailable(SnapshotMeta snapshot) {}

  /** Adopts an installed snapshot; see {@link RaftMachine#restoreSnapshot}. */
  default boolean restoreSnapshot(SnapshotMeta snapshot, MemberId replyTo) {
    throw new UnsupportedOperationException("snapshots");
  }

  /** Builds the machine from the durable state at start. */
  interface Factory {
    /**
     * @param snapshot the newest local snapshot, or null (scripted factories ignore it)
     * @param logging where the node's lines go (the protocol logs every real vote)
     */
    ConsensusMachine create(
        RaftConfig config,
        MemberId self,
        Set<MemberId> initialVoters,
        LogReader log,
        HardState hardState,
        RandomGenerator random,
        SnapshotMeta snapshot,
        RaftLogging logging);
  }

  /** The production factory: a {@link RaftMachine} that knows the local snapshot. */
  Factory RAFT =
      (config, self, initialVoters, log, hardState, random, snapshot, logging) ->
          wrap(new RaftMachine(
              config, self, initialVoters, log, hardState, random, snapshot, logging));

  /** The slice of {@code m} the runner drives. */
  static ConsensusMachine wrap(RaftMachine m) {
    return new ConsensusMachine() {
      @Override
      public void snapshotAvailable(SnapshotMeta snapshot) {
        m.snapshotAvailable(snapshot);
      }

      @Override
      public boolean restoreSnapshot(SnapshotMeta snapshot, MemberId replyTo) {
        return m.restoreSnapshot(snapshot, replyTo);
      }

      @Override
      public void step(RaftMessage message) {
        m.step(message);
      }

      @Override
      public void tick() {
        m.tick();
      }

      @Override
      public void peerUnreachable(MemberId peer) {
        m.peerUnreachable(peer);
      }

      @Override
      public long propose(List<byte[]> payloads) {
        return m.propose(payloads);
      }

      @Override
      public boolean hasReady() {
        return m.hasReady();
      }

      @Override
      public Ready ready() {
        return m.ready();
      }

      @Override
      public void advance(Ready ready) {
        m.advance(ready);
      }

      @Override
      public SoftState softState() {
        return m.softState();
      }

      @Override
      public HardState hardState() {
        return m.hardState();
      }

      @Override
      public long term() {
        return m.term();
      }

      @Override
      public long commitIndex() {
        return m.commitIndex();
      }

      @Override
      public RaftStatus status(long appliedIndex, long tickMillis) {
        return m.status(appliedIndex, tickMillis);
      }

      @Override
      public long electionsStarted() {
        return m.electionsStarted();
      }

      @Override
      public long preVotesStarted() {
        return m.preVotesStarted();
      }

      @Override
      public void addMember(long requestId, MemberId member) {
        m.addMember(requestId, member);
      }

      @Override
      public void removeMember(long requestId, MemberId member) {
        m.removeMember(requestId, member);
      }

      @Override
      public List<ChangeOutcome> takeChangeOutcomes() {
        return m.takeChangeOutcomes();
      }

      @Override
      public void transferLeadership(MemberId target) {
        m.transferLeadership(target);
      }

      @Override
      public MemberId transferTarget() {
        return m.transferTarget();
      }

      @Override
      public Membership membership() {
        return m.membership();
      }

      @Override
      public ForcedConfiguration forceNewCluster(long epoch) {
        return m.forceNewCluster(epoch);
      }
    };
  }
}
