package io.graft.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.procedures.StatusRow;
import java.util.List;
import org.junit.jupiter.api.Test;

class WriteAdviceTest {
  private static final List<String> VOTERS = List.of("a:1", "b:1", "c:1");

  @Test
  void noLeaderSaysAMajorityMayBeDown() {
    assertThat(WriteAdvice.of(row("a:1", null, null)))
        .contains("No leader is known")
        .contains("majority of the 3 voting members (writes need 2 of them up)")
        .contains("Reads still work");
  }

  @Test
  void knownLeaderIsNamedWithItsBoltAddress() {
    assertThat(WriteAdvice.of(row("a:1", "b:1", "127.0.0.1:7688")))
        .isEqualTo("The leader is b:1 (Bolt 127.0.0.1:7688); a neo4j:// driver routes writes "
            + "there.");
    assertThat(WriteAdvice.of(row("a:1", "b:1", null))).contains("Bolt address unknown");
  }

  @Test
  void freshLeaderWithoutItsLeaseIsToldToRetry() {
    assertThat(WriteAdvice.of(row("a:1", "a:1", "x:2"))).contains("lease is not applied yet")
        .contains("outcome is unknown");
  }

  @Test
  void aStoppedMemberSaysWhyAndWhatToDoNotThatAMajorityIsDown() {
    String advice = WriteAdvice.of(row("a:1", null, null),
        "StorageException: cannot write /data/raft/neo4j/log/segment-1 at byte offset 4096"
            + " (cause: IOException: No space left on device)");
    assertThat(advice).contains("graft stopped on this member after a fatal error")
        .contains("No space left on device")
        .contains("restart this server")
        .doesNotContain("No leader is known");
  }

  private static StatusRow row(String self, String leader, String leaderBolt) {
    return new StatusRow(self, self, "x:1", leader == null ? "CANDIDATE" : "FOLLOWER", 3, leader,
        leaderBolt, 10, 10, 11, 12, VOTERS);
  }
}
