package io.graft.it.inprocess;

import io.graft.plugin.RaftNodeFactory;
import io.graft.plugin.RaftNodeSpec;
import io.graft.raft.api.RaftNode;
import io.graft.raft.api.StateMachine;

/**
 * Plugs {@link LocalRaftGroup} into the plugin for in-process tests (test-scope service file), for
 * cluster ids starting with {@value #PREFIX}; other clusters get core-raft's real runtime.
 */
public final class LocalRaftNodeFactory implements RaftNodeFactory {
  public static final String PREFIX = "local-";

  @Override
  public boolean accepts(RaftNodeSpec spec) {
    return spec.clusterId().startsWith(PREFIX);
  }

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
