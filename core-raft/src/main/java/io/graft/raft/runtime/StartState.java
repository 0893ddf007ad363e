package io.graft.raft.runtime;

import io.graft.raft.api.MemberId;
import io.graft.raft.protocol.HardState;
import io.graft.raft.protocol.SnapshotMeta;
import io.graft.raft.protocol.membership.Configuration;
import io.graft.raft.storage.LogStore;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The durable state a node starts from, prepared before its machine is built: on empty stores a
 * seeded member's log is founded on the state machine's state ({@link RaftNodeBuilder#seed}); an
 * interrupted snapshot install is finished and the state machine caught up (thesis §5).
 *
 * @param hardState term, vote and commit hint to start with
 * @param localSnapshot the newest local snapshot, or null
 */
record StartState(HardState hardState, SnapshotMeta localSnapshot) {

  /**
   * @param snapshots the node's snapshot coordinator, or null without snapshot support
   * @param machine the machine once built (for the snapshot coordinator's owner tasks)
   * @param refuse called before this throws (the node does not start)
   */
  static StartState prepare(RaftNodeBuilder spec, LogStore log, DurableWriter writer,
      SnapshotCoordinator snapshots, ApplyWorker applyWorker,
      Supplier<ConsensusMachine> machine, Runnable refuse) {
    HardState hardState = seedIfAsked(spec, log, writer, snapshots, writer.load(), refuse);
    if (snapshots == null) {
      return new StartState(hardState, null);
    }
    SnapshotMeta local;
    try {
      local = snapshots.recover(hardState, spec.initialVoters);
    } catch (Exception e) {
      refuse.run();
      throw new IllegalStateException("graft node " + spec.self + " cannot recover its snapshots",
          e);
    }
    applyWorker.advanceApplied(spec.stateMachine.lastAppliedIndex());
    snapshots.attach(applyWorker, machine);
    return new StartState(hardState, local);
  }

  /**
   * {@link RaftNodeBuilder#seed}: on empty stores, the log starts after the state machine's state,
   * in term 1 (durable before anything else happens); otherwise nothing changes.
   */
  private static HardState seedIfAsked(RaftNodeBuilder spec, LogStore log, DurableWriter writer,
      SnapshotCoordinator snapshots, HardState loaded, Runnable refuse) {
    if (!spec.seed || loaded.term() != 0 || log.lastIndex() != 0 || log.snapshotIndex() != 0) {
      return loaded;
    }
    MemberId self = spec.self;
    long index = spec.stateMachine.lastAppliedIndex();
    if (index < 1) {
      refuse.run();
      throw new IllegalStateException("graft node " + self + " cannot seed at index " + index
          + ": the state machine must report the seeded state at index 1 or later");
    }
    snapshots.seed(index, 1, Configuration.ofVoters(Set.of(self)));
    HardState seeded = new HardState(1, null, index);
    writer.saveNow(seeded);
    return seeded;
  }
}
