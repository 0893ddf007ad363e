package io.graft.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.runtime.NodeAssembly;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.neo4j.configuration.Config;
import org.neo4j.configuration.helpers.SocketAddress;

/**
 * {@code server.raft.*} mapping and startup validation: defaults, the member id = advertised
 * address rule, and a clear message naming the setting for each misconfiguration.
 */
class RaftPluginConfigTest {

  private static Config.Builder base() {
    return Config.newBuilder()
        .set(RaftSettings.enabled, true)
        .set(RaftSettings.listen_address, new SocketAddress("10.0.0.1", 7000))
        .set(RaftSettings.initial_members, List.of(
            new SocketAddress("10.0.0.1", 7000), new SocketAddress("10.0.0.2", 7000),
            new SocketAddress("10.0.0.3", 7000)));
  }

  @Test
  void disabledByDefaultAndInertWithoutValidation() {
    RaftPluginConfig c = RaftPluginConfig.from(Config.defaults());
    assertThat(c.enabled()).isFalse();
    assertThat(c.database()).isEqualTo("neo4j");
  }

  @Test
  void advertisedAddressDefaultsToListenAndIsTheMemberId() {
    RaftPluginConfig c = RaftPluginConfig.from(base().build());
    assertThat(c.self()).isEqualTo("10.0.0.1:7000");
    assertThat(c.initialMembers()).containsExactly("10.0.0.1:7000", "10.0.0.2:7000", "10.0.0.3:7000");
    assertThat(c.raftDirectory().toString()).endsWith("raft/neo4j");
    RaftPluginConfig adv = RaftPluginConfig.from(base()
        .set(RaftSettings.listen_address, new SocketAddress("0.0.0.0", 7000))
        .set(RaftSettings.advertised_address, new SocketAddress("10.0.0.2", 7000)).build());
    assertThat(adv.self()).isEqualTo("10.0.0.2:7000");
  }

  @Test
  void aMemberMissingFromInitialMembersIsJoining() {
    // docs/ARCHITECTURE.md §3: a further server lists the existing members and waits for
    // raft.addMember.
    Config config = base().set(RaftSettings.listen_address, new SocketAddress("10.0.0.9", 7000)).build();
    RaftPluginConfig c = RaftPluginConfig.from(config);
    assertThat(c.joining()).isTrue();
    assertThat(c.initialMembers()).doesNotContain("10.0.0.9:7000");
    assertThat(RaftPluginConfig.from(base().build()).joining()).isFalse();
  }

  @Test
  void rejectsBadTimeoutOrderSizeSystemDatabaseAndWildcards() {
    assertThatThrownBy(() -> RaftPluginConfig.from(base()
            .set(RaftSettings.election_timeout, Duration.ofMillis(150))
            .set(RaftSettings.heartbeat_interval, Duration.ofMillis(100)).build()))
        .hasMessageContaining("server.raft.election_timeout");
    assertThatThrownBy(() -> RaftPluginConfig.from(base()
            .set(RaftSettings.commit_timeout, Duration.ofMillis(500)).build()))
        .hasMessageContaining("server.raft.commit_timeout");
    assertThatThrownBy(() -> RaftPluginConfig.from(base().set(RaftSettings.max_entry_size, 10L).build()))
        .hasMessageContaining("server.raft.max_entry_size");
    assertThatThrownBy(() -> RaftPluginConfig.from(base().set(RaftSettings.database, "system").build()))
        .hasMessageContaining("server.raft.database");
    assertThatThrownBy(() -> RaftPluginConfig.from(base()
            .set(RaftSettings.listen_address, new SocketAddress("0.0.0.0", 7000))
            .set(RaftSettings.initial_members, List.of(new SocketAddress("0.0.0.0", 7000))).build()))
        .hasMessageContaining("wildcard");
    assertThatThrownBy(() -> RaftPluginConfig.from(base()
            .set(RaftSettings.initial_members, List.of()).build()))
        .hasMessageContaining("server.raft.initial_members is empty");
  }

  @Test
  void malformedAddressesFailWhenParsed() {
    assertThatThrownBy(() -> Config.newBuilder()
            .setRaw(Map.of("server.raft.initial_members", "a:1,not an address:x")).build())
        .hasMessageContaining("server.raft.initial_members");
  }

  /** Neo4j parses the settings' syntax; RaftAddress (the one host:port parser) checks the rest. */
  @Test
  void addressesAreCheckedByRaftAddressNamingTheSetting() {
    assertThatThrownBy(() -> RaftPluginConfig.from(base()
            .set(RaftSettings.member_bolt_addresses, List.of("10.0.0.2:7000=10.0.0.2:99999"))
            .build()))
        .hasMessageContaining("server.raft.member_bolt_addresses: '10.0.0.2:99999' is not a "
            + "host:port address (port out of range 1..65535)");
    assertThatThrownBy(() -> RaftPluginConfig.from(base()
            .set(RaftSettings.advertised_address, new SocketAddress("10.0.0.1", -1)).build()))
        .hasMessageContaining("server.raft.advertised_address: '10.0.0.1:-1' is not a "
            + "host:port address (port out of range 1..65535)");
    // an inert (disabled) plugin validates nothing
    RaftPluginConfig off = RaftPluginConfig.from(base().set(RaftSettings.enabled, false)
        .set(RaftSettings.advertised_address, new SocketAddress("10.0.0.1", -1)).build());
    assertThat(off.self()).isEqualTo("10.0.0.1:-1");
    assertThat(RaftPluginConfig.from(base().set(RaftSettings.listen_address,
        new SocketAddress("::1", 7000)).set(RaftSettings.initial_members,
        List.of(new SocketAddress("::1", 7000))).build()).self()).isEqualTo("[::1]:7000");
  }

  @Test
  void boltAddressesOfOtherMembersComeFromTheSetting() {
    RaftPluginConfig c = RaftPluginConfig.from(base()
        .set(RaftSettings.member_bolt_addresses, List.of("10.0.0.2:7000=10.0.0.2:7687")).build());
    assertThat(c.boltAddressOf("10.0.0.2:7000")).isEqualTo("10.0.0.2:7687");
    assertThat(c.boltAddressOf("10.0.0.3:7000")).isNull();
    assertThatThrownBy(() -> RaftPluginConfig.from(base()
            .set(RaftSettings.member_bolt_addresses, List.of("nonsense")).build()))
        .hasMessageContaining("server.raft.member_bolt_addresses");
  }

  @Test
  void snapshotSettingsDefaultMapIntoThePolicyAndAreValidated() {
    RaftPluginConfig c = RaftPluginConfig.from(base().build());
    assertThat(c.snapshotIntervalEntries()).isEqualTo(65536);
    assertThat(c.logRetainedEntries()).isEqualTo(1024);
    assertThat(c.snapshotIntervalBytes()).isEqualTo(1L << 30);
    assertThat(c.snapshotLogRatio()).isEqualTo(1.0);
    RaftPluginConfig small = RaftPluginConfig.from(base()
        .set(RaftSettings.snapshot_interval_entries, 50L)
        .set(RaftSettings.snapshot_interval_bytes, 4096L)
        .set(RaftSettings.snapshot_log_ratio, 0.5)
        .set(RaftSettings.log_retained_entries, 0L).build());
    io.graft.raft.runtime.SnapshotPolicy policy = NodeAssembly.snapshotPolicy(
        CoreRaftNodeFactory.setup(new RaftNodeSpec(
        small.clusterId(), io.graft.raft.api.MemberId.of(small.self()), small.listenAddress(),
        List.of(), small.raftDirectory(), small.electionTimeout(), small.heartbeatInterval(), null,
        small.snapshotIntervalEntries(), small.snapshotIntervalBytes(),
        small.logRetainedEntries(), small.maxEntrySize())
        .withSnapshotLogRatio(small.snapshotLogRatio())));
    assertThat(policy.snapshotEveryEntries()).isEqualTo(50);
    assertThat(policy.logToSnapshotRatio()).isEqualTo(0.5);
    assertThat(policy.snapshotEveryBytes()).isEqualTo(4096);
    assertThat(policy.retainEntries()).isZero();
    assertThatThrownBy(() -> RaftPluginConfig.from(base()
            .set(RaftSettings.snapshot_interval_entries, 0L).build()))
        .hasMessageContaining("server.raft.snapshot_interval_entries must be at least 1");
    assertThatThrownBy(() -> RaftPluginConfig.from(base()
            .set(RaftSettings.log_retained_entries, -1L).build()))
        .hasMessageContaining("server.raft.log_retained_entries must not be negative");
    assertThatThrownBy(() -> RaftPluginConfig.from(base()
            .set(RaftSettings.snapshot_interval_bytes, 100L).build()))
        .hasMessageContaining("server.raft.snapshot_interval_bytes must be at least 1KiB");
    assertThatThrownBy(() -> RaftPluginConfig.from(base()
            .set(RaftSettings.snapshot_log_ratio, -1.0).build()))
        .hasMessageContaining("server.raft.snapshot_log_ratio must be a number at least 0");
  }

  @Test
  void neo4jsLogIsForcedAtCheckpointsByDefaultAndEveryApplyOnRequest() {
    assertThat(RaftPluginConfig.from(base().build()).neo4jLogForce())
        .isEqualTo(Neo4jLogForce.CHECKPOINT);
    assertThat(RaftPluginConfig.from(base()
            .setRaw(Map.of("server.raft.neo4j_log_force", "every_apply")).build())
        .neo4jLogForce()).isEqualTo(Neo4jLogForce.EVERY_APPLY);
  }
}
