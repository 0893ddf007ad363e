package io.graft.plugin;

import io.graft.raft.api.RaftNode;
import io.graft.raft.api.StateMachine;

/**
 * Builds the Raft member of the replicated database. The default ({@link CoreRaftNodeFactory})
 * builds core-raft's runtime; an alternative can be supplied through {@code
 * META-INF/services/io.graft.plugin.RaftNodeFactory} (the in-process tests plug an in-JVM Raft
 * group in this way, without any static state in the plugin). The lowest {@link #priority()} wins.
 */
public interface RaftNodeFactory {
  RaftNode create(RaftNodeSpec spec, StateMachine stateMachine) throws Exception;

  default int priority() {
    return 100;
  }

  /** Whether this factory serves that spec; the lowest-priority factory that accepts wins. */
  default boolean accepts(RaftNodeSpec spec) {
    return true;
  }
}
