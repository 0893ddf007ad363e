package io.graft.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neo4j.configuration.Config;
import org.neo4j.configuration.GraphDatabaseInternalSettings;

/**
 * The rule for a torn tail of Neo4j's transaction log ({@link TornTxLogTail}): Neo4j may cut it
 * only at the start after a failed apply, and the database starts only if recovery kept
 * everything that was durable in Neo4j's log when the apply failed.
 */
class TornTxLogTailTest {
  private static final org.neo4j.graphdb.config.Setting<Boolean> FAIL_ON_CORRUPTED =
      GraphDatabaseInternalSettings.fail_on_corrupted_log_files;

  @TempDir
  Path raftDir;

  @Test
  void withoutAFailedApplyNeo4jStillRefusesACorruptedLog() throws Exception {
    Config config = Config.defaults();

    assertThat(TornTxLogTail.relaxBeforeRecovery(raftDir, config)).isNull();
    assertThat(config.get(FAIL_ON_CORRUPTED)).isTrue();
    assertThat(TornTxLogTail.checkAfterRecovery(raftDir, "neo4j", 0)).isNull();
  }

  @Test
  void afterAFailedApplyOnlyThatRecoveryMayCutAndNothingDurableMayBeLost() throws Exception {
    Config config = Config.defaults();
    TornTxLogTail.recordFailedApply(raftDir, 41);

    Boolean before = TornTxLogTail.relaxBeforeRecovery(raftDir, config);
    assertThat(config.get(FAIL_ON_CORRUPTED)).as("during this recovery").isFalse();
    TornTxLogTail.restoreAfterRecovery(config, before);
    assertThat(config.get(FAIL_ON_CORRUPTED)).as("after it").isTrue();

    // Recovery cut into what was durable: refused, and the record stays for the next attempt.
    assertThatThrownBy(() -> TornTxLogTail.checkAfterRecovery(raftDir, "neo4j", 40))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("lost durable transactions")
        .hasMessageContaining("durable up to Raft index 41")
        .hasMessageContaining("only to Raft index 40")
        .hasMessageContaining("raft.removeMember");
    assertThat(TornTxLogTail.recorded(raftDir)).hasValue(41);

    // Recovery kept all of it (the torn tail, beyond it, is re-applied from the Raft log).
    assertThat(TornTxLogTail.checkAfterRecovery(raftDir, "neo4j", 41))
        .contains("recovered after a failed apply").contains("Raft index 41");
    assertThat(TornTxLogTail.recorded(raftDir)).isEmpty();
    assertThat(TornTxLogTail.relaxBeforeRecovery(raftDir, config)).as("once").isNull();
  }

  @Test
  void twoFailuresWithoutAStartInBetweenKeepTheLowerBound() throws Exception {
    TornTxLogTail.recordFailedApply(raftDir, 70);
    TornTxLogTail.recordFailedApply(raftDir, 65);
    TornTxLogTail.recordFailedApply(raftDir, 80);

    assertThat(TornTxLogTail.recorded(raftDir)).hasValue(65);
    assertThat(Files.exists(raftDir.resolve(TornTxLogTail.FILE_NAME + ".tmp"))).isFalse();
  }

  @Test
  void anOperatorsOwnSettingIsLeftAsItIs() throws Exception {
    Config config = Config.newBuilder().set(Map.of(FAIL_ON_CORRUPTED, false)).build();
    TornTxLogTail.recordFailedApply(raftDir, 5);

    assertThat(TornTxLogTail.relaxBeforeRecovery(raftDir, config)).isNull();
    assertThat(config.get(FAIL_ON_CORRUPTED)).isFalse();
  }

  @Test
  void anUnreadableRecordIsAnError() throws Exception {
    Files.writeString(raftDir.resolve(TornTxLogTail.FILE_NAME), "garbage");

    assertThatThrownBy(() -> TornTxLogTail.recorded(raftDir))
        .hasMessageContaining("is not a consensus index");
  }
}
