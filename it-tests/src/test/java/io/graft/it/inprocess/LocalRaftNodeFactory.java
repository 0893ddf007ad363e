package io.graft.it.inprocess;

import io.graft.plugin.RaftNodeFactory;
import io.graft.plugin.RaftNodeSpec;
import io.graft.raft.api.RaftNode;
import io.graft.raft.api.StateMachine;

/** Plugs {@link LocalRaftGroup} into the plugin for in-process tests (test-scope service file). */
public final class LocalRaftNodeFactory implements RaftNodeFactory {
  @Override
  public RaftNode create(RaftNodeSpec spec, StateMachine stateMachine) {
    return LocalRaftGroup.forCluster(spec.clusterId(), spec.initialMembers())
        .join(spec.self(), stateMachine);
  }

  @Override
  public int priority() {
    return 0;
  }
}
