package io.graft.plugin;

import io.graft.raft.api.RaftNode;
import io.graft.raft.api.StateMachine;

/**
 * The production path: core-raft's {@code RaftNodeRunner} with the segmented log and meta store
 * under {@code <data>/raft/<db>/} and the Netty transport on {@code server.raft.listen_address}.
 *
 * <p>NEXT STEP: the runtime (branch {@code runtime}) had no working builder when this was written,
 * so this factory refuses to start with a clear message instead of pretending. Wire {@code
 * RaftNodeRunner} here once it is merged.
 */
final class CoreRaftNodeFactory implements RaftNodeFactory {
  @Override
  public RaftNode create(RaftNodeSpec spec, StateMachine stateMachine) {
    throw new IllegalStateException(
        "graft: this build has no core-raft runtime wired in yet (plugin.CoreRaftNodeFactory); "
            + "server.raft.enabled=true cannot start database replication");
  }

  @Override
  public int priority() {
    return Integer.MAX_VALUE;
  }
}
