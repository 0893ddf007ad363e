package io.graft.raft.api.boot;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftNode;
import io.graft.raft.api.RaftNodeSetup;
import io.graft.raft.api.StateMachine;
import io.graft.raft.api.TransportTls;
import io.graft.raft.runtime.NodeAssembly;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Starts production Raft members: the api's one door into core-raft's runtime. The rest of the api
 * ({@link RaftNodeSetup}, {@link RaftNode}, {@link StateMachine}, ...) is types and interfaces that
 * depend on nothing else in core-raft; this class turns a setup into a running member through
 * {@code runtime.NodeAssembly}. Other modules import it like any api class (docs/STYLE.md §2).
 */
public final class RaftNodes {
  private RaftNodes() {}

  /**
   * Builds and starts the member {@code setup} describes; it owns its stores and transport until
   * {@link RaftNode#close}.
   *
   * @throws IllegalStateException if the setup lacks a listen address, a cluster id or voters
   */
  public static RaftNode start(RaftNodeSetup setup, StateMachine stateMachine) {
    Objects.requireNonNull(stateMachine, "stateMachine");
    if (setup.listenAddress() == null || setup.clusterId() == null
        || setup.initialVoters().isEmpty()) {
      throw new IllegalStateException(
          "a Raft member needs a listen address, a cluster id and initial voters");
    }
    return NodeAssembly.start(setup, stateMachine);
  }

  /**
   * True if {@code dataDirectory} holds a member's Raft term/vote state from an earlier start. A
   * caller whose own state outlives it (e.g. a replicated database) can tell that the Raft state
   * was removed, and refuse to start with a forgotten vote (Raft §5.2).
   */
  public static boolean hasRaftState(Path dataDirectory) {
    return NodeAssembly.hasRaftState(dataDirectory);
  }

  /**
   * Asks the member at {@code address} (its advertised Raft address) "who are you?" on its Raft
   * port, without joining and without any Raft state, over mutual TLS if {@code tls} is non-null:
   * returns what it announces about itself. Nothing is recorded on either side. Used by a server
   * that must learn something from the cluster before it can become a member (the database
   * identity).
   *
   * @throws java.io.IOException unreachable, no answer in time, another cluster id, a TLS
   *     refusal (the reason says which)
   */
  public static String probe(String address, String clusterId, MemberId asker, Duration timeout,
      TransportTls tls) throws java.io.IOException {
    return NodeAssembly.probe(address, clusterId, asker, timeout, tls);
  }
}
