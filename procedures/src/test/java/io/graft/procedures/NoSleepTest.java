package io.graft.procedures;

import io.graft.raft.arch.NoSleep;
import org.junit.jupiter.api.Test;

/**
 * docs/TESTING.md: no test sleeps nor parks; tests wait on a condition with a bound (Awaitility,
 * local-cluster's Waits) or step virtual time. The rule lives in core-raft's test jar ({@link
 * NoSleep}), shared by every test module; core-raft's ArchitectureRulesCanFailTest shows it bites.
 */
class NoSleepTest {

  @Test
  void testsDoNotSleep() {
    NoSleep.checkTestClasses();
  }
}
