package io.graft.plugin.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The view's timeline: changes only, bounded, leader changes counted once each. */
class RaftEventLogTest {
  private final AtomicLong clock = new AtomicLong(1000);
  private final RaftEventLog log = new RaftEventLog(clock::get);

  @Test
  void recordsChangesOnlyAndCountsNewLeaders() {
    log.record(1, "FOLLOWER", null);
    log.record(1, "FOLLOWER", null);
    clock.set(2000);
    log.record(1, "FOLLOWER", "a:7000");
    log.record(1, "FOLLOWER", "a:7000");
    clock.set(3000);
    log.record(2, "CANDIDATE", null);
    log.record(2, "LEADER", "b:7000");
    assertThat(log.events()).extracting(RaftEvent::role)
        .containsExactly("FOLLOWER", "FOLLOWER", "CANDIDATE", "LEADER");
    assertThat(log.events().get(1).atMillis()).isEqualTo(2000);
    assertThat(log.leaderChanges()).isEqualTo(2);
  }

  @Test
  void keepsOnlyTheNewestEvents() {
    for (int term = 1; term <= RaftEventLog.CAPACITY + 10; term++) {
      log.record(term, "LEADER", "a:7000");
    }
    assertThat(log.events()).hasSize(RaftEventLog.CAPACITY);
    assertThat(log.events().get(0).term()).isEqualTo(11);
  }
}
