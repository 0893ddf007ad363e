package io.graft.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.bridge.snapshot.BackupManifest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Seeding and store/Raft-state matching decided before the Raft member exists: an existing
 * database seeds a one-member cluster only when initial_members names this server alone; a
 * joining server or one of several founders with such data is refused with the seeding path; a
 * graft backup seeds like it; a store swapped under existing Raft state is refused.
 */
class SeedCheckTest {
  private static final UUID ID = UUID.fromString("11111111-2222-3333-4444-555555555555");
  private static final UUID OTHER = UUID.fromString("99999999-2222-3333-4444-555555555555");

  static RaftPluginConfig config(String self, String... members) {
    return new RaftPluginConfig(true, self, self, List.of(members), "neo4j", "graft",
        Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(30), 1 << 20, null,
        Map.of(), Path.of("/data"), 8192, 1L << 30, 1024, Neo4jLogForce.CHECKPOINT, 1.0);
  }

  private static SeedCheck.Decision decide(RaftPluginConfig c, SeedCheck.Store s,
      boolean raftState) {
    return SeedCheck.decide(c, s, raftState, Optional.empty(), Optional.empty());
  }

  private static SeedCheck.Store plainStore(long lastTx) {
    return new SeedCheck.Store(ID, lastTx, -1, 0);
  }

  @Test
  void anExistingDatabaseSeedsAOneMemberClusterWhenInitialMembersNamesOnlyThisServer() {
    SeedCheck.Decision d = decide(config("a:7000", "a:7000"), plainStore(7_521), false);
    assertThat(d.outcome()).isEqualTo(SeedCheck.Outcome.SEED);
    assertThat(d.seedIndex()).isEqualTo(1);
    assertThat(d.description()).contains("7521 transactions").contains(ID.toString());
  }

  @Test
  void freshStoresStartAsUsual() {
    assertThat(decide(config("a:7000", "a:7000", "b:7000"), plainStore(3), false).outcome())
        .isEqualTo(SeedCheck.Outcome.NORMAL);
    assertThat(decide(config("c:7000", "a:7000"), plainStore(3), false).outcome())
        .isEqualTo(SeedCheck.Outcome.NORMAL);
    assertThat(decide(config("a:7000", "a:7000"), plainStore(1), false).outcome())
        .isEqualTo(SeedCheck.Outcome.NORMAL);
  }

  @Test
  void severalFoundersWithAnExistingDatabaseAreRefusedNamingTheSeedingPath() {
    assertThatThrownBy(() -> decide(config("a:7000", "a:7000", "b:7000", "c:7000"),
        plainStore(7_521), false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("refusing to start database 'neo4j' on a:7000")
        .hasMessageContaining("names several founders")
        .hasMessageContaining("server.raft.initial_members=a:7000")
        .hasMessageContaining("raft.addMember")
        .hasMessageContaining("Moving an existing database onto graft");
  }

  @Test
  void aJoiningServerWithDataIsRefusedAndToldToStartEmpty() {
    assertThatThrownBy(() -> decide(config("c:7000", "a:7000"), plainStore(50), false))
        .hasMessageContaining("joins a running cluster")
        .hasMessageContaining("EMPTY data/")
        .hasMessageContaining("nothing was changed")
        .hasMessageContaining("CALL raft.addMember('c:7000')");
  }

  @Test
  void aGraftBackupSeedsANewClusterAtItsIndexOnlyAlone() {
    BackupManifest backup = new BackupManifest(1, "neo4j", ID, 900, 700, 3, "x:7000", "x:7000",
        "graft", 0, List.of());
    SeedCheck.Store restored = new SeedCheck.Store(ID, 700, 898, 0);
    SeedCheck.Decision d = SeedCheck.decide(config("a:7000", "a:7000"), restored, false,
        Optional.empty(), Optional.of(backup));
    assertThat(d.outcome()).isEqualTo(SeedCheck.Outcome.SEED);
    assertThat(d.seedIndex()).isEqualTo(898);
    assertThatThrownBy(() -> SeedCheck.decide(config("a:7000", "a:7000", "b:7000"), restored,
        false, Optional.empty(), Optional.of(backup)))
        .hasMessageContaining("seeds a NEW cluster");
    // Not the backup's store (another transaction): no seeding; RaftStateGuard refuses later.
    assertThat(SeedCheck.decide(config("a:7000", "a:7000"), new SeedCheck.Store(ID, 701, 899, 0),
        false, Optional.empty(), Optional.of(backup)).outcome())
        .isEqualTo(SeedCheck.Outcome.NORMAL);
  }

  @Test
  void aStoreSwappedUnderRaftStateIsRefused() {
    RaftPluginConfig c = config("a:7000", "a:7000", "b:7000");
    Optional<StoreBase> base = Optional.of(new StoreBase(ID, 3));
    assertThatThrownBy(() -> SeedCheck.decide(c, new SeedCheck.Store(OTHER, 3, -1, 5), true,
        base, Optional.empty()))
        .hasMessageContaining("has identity " + OTHER)
        .hasMessageContaining("belongs to " + ID)
        .hasMessageContaining("raft.removeMember('a:7000')");
    assertThatThrownBy(() -> SeedCheck.decide(c, new SeedCheck.Store(ID, 40, -1, 5), true, base,
        Optional.empty()))
        .hasMessageContaining("did not come through Raft");
    // The store the Raft state belongs to, before and after Raft transactions: fine.
    assertThat(SeedCheck.decide(c, new SeedCheck.Store(ID, 3, -1, 5), true, base,
        Optional.empty()).outcome()).isEqualTo(SeedCheck.Outcome.NORMAL);
    assertThat(SeedCheck.decide(c, new SeedCheck.Store(ID, 40, 37, 5), true, base,
        Optional.empty()).outcome()).isEqualTo(SeedCheck.Outcome.NORMAL);
    // Raft state from before store-base existed: nothing to compare with.
    assertThat(SeedCheck.decide(c, new SeedCheck.Store(OTHER, 40, -1, 5), true,
        Optional.empty(), Optional.empty()).outcome()).isEqualTo(SeedCheck.Outcome.NORMAL);
  }
}
