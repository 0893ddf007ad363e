package io.graft.raft.runtime;

/** The runner's plumbing against the scripted {@link FixedLeaderMachine}. */
class FixedLeaderRunnerTest extends RaftNodeRunnerTest {
  @Override
  ConsensusMachine.Factory factory() {
    return FixedLeaderMachine.factory();
  }

  @Override
  boolean elects() {
    return false;
  }
}
