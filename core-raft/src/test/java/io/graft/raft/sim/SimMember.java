package io.graft.raft.sim;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Role;
import io.graft.raft.protocol.RaftMachine;
import io.graft.raft.protocol.membership.Configuration;
import io.graft.raft.runtime.ReadyDriver;

/**
 * One simulated server: its durable parts (log store, meta store, state machine) survive crashes;
 * the {@link RaftMachine} is volatile and rebuilt from durable state on restart.
 */
final class SimMember implements MemberView {
  private final int index;
  private final MemberId id;
  final SimLogStore store = new SimLogStore();
  final SimMetaStore meta = new SimMetaStore();
  final SimStateMachine stateMachine = new SimStateMachine();

  /** The newest snapshot taken or installed here (durable), or null. */
  SimSnapshots.Snapshot localSnapshot;

  /** Null while crashed. */
  RaftMachine machine;

  /** The runtime's own Ready handling for {@link #machine}; null while crashed. */
  ReadyDriver driver;

  /** Bumped at every crash, so ticks and disk work scheduled for an earlier life are ignored. */
  int incarnation;

  /** Where this member crashes the next time its runtime gets there, or null. */
  ReadyDriver.CrashPoint crashAt;

  /** What its machine starts from when its log holds no configuration entry. */
  Configuration initialConfiguration = Configuration.EMPTY;

  /** The founders' configuration. */
  Configuration foundingConfiguration = Configuration.EMPTY;

  SimMember(int index, MemberId id) {
    this.index = index;
    this.id = id;
  }

  @Override
  public int index() {
    return index;
  }

  @Override
  public MemberId id() {
    return id;
  }

  @Override
  public boolean alive() {
    return machine != null;
  }

  @Override
  public Role role() {
    return machine.softState().role();
  }

  @Override
  public long term() {
    return machine.term();
  }

  @Override
  public long commitIndex() {
    return machine.commitIndex();
  }

  @Override
  public long machineLastIndex() {
    return machine.lastIndex();
  }

  @Override
  public SimLogStore store() {
    return store;
  }

  @Override
  public Configuration configuration() {
    return machine.configuration();
  }

  @Override
  public Configuration initialConfiguration() {
    return initialConfiguration;
  }

  @Override
  public Configuration foundingConfiguration() {
    return foundingConfiguration;
  }

  @Override
  public String toString() {
    if (machine == null) {
      return id
          + "{down, log "
          + store.lastIndex()
          + ", applied "
          + stateMachine.lastAppliedIndex()
          + "}";
    }
    return id
        + "{"
        + role()
        + " t"
        + term()
        + " commit "
        + commitIndex()
        + " log "
        + store.lastIndex()
        + " applied "
        + stateMachine.lastAppliedIndex()
        + "}";
  }
}
