package io.graft.raft.runtime;

/** The runner driving the real {@link io.graft.raft.protocol.RaftMachine}. */
class RaftMachineRunnerTest extends RaftNodeRunnerTest {
  @Override
  ConsensusMachine.Factory factory() {
    return ConsensusMachine::raft;
  }
}
