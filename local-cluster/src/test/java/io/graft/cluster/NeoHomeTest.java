package io.graft.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NeoHomeTest {
  @TempDir
  Path tmp;

  @Test
  void assemblesFoldersPluginAndConfigWithRaftLines() throws IOException {
    Path jar = Files.writeString(tmp.resolve("graft-plugin.jar"), "not really a jar");
    MemberSpec spec = new MemberSpec(2, 7001, 7002, 7003, 7004);
    NeoHome home = new NeoHome(tmp.resolve("member-2"), spec);
    NeoConfig config = new NeoConfig(true, List.of("127.0.0.1:7004", "127.0.0.1:8004"), "256m",
        "32m", Map.of("server.raft.election_timeout", "2s"));

    home.assemble(jar, config);

    for (String folder : List.of("conf", "plugins", "data", "logs", "run", "import")) {
      assertThat(home.dir().resolve(folder)).isDirectory();
    }
    assertThat(home.plugins().resolve("graft-plugin.jar")).exists();
    List<String> conf = Files.readAllLines(home.conf().resolve("neo4j.conf"));
    assertThat(conf).contains(
        "server.bolt.listen_address=127.0.0.1:7001",
        "server.bolt.advertised_address=127.0.0.1:7001",
        "server.http.listen_address=127.0.0.1:7002",
        "dbms.security.auth_enabled=false",
        "dbms.usage_report.enabled=false",
        "internal.dbms.bolt.netty_server_shutdown_quiet_period=0",
        "server.raft.enabled=true",
        "server.raft.listen_address=127.0.0.1:7003",
        "server.raft.advertised_address=127.0.0.1:7004",
        "server.raft.initial_members=127.0.0.1:7004,127.0.0.1:8004",
        "server.raft.election_timeout=2s");
  }

  @Test
  void authSettingReplacesTheDefaultOffLineAndTheInitialPasswordIsOnlySetOnAFreshHome()
      throws IOException {
    NeoHome home = new NeoHome(tmp.resolve("auth"), new MemberSpec(1, 1, 2, 3, 3));
    home.assemble(null, new NeoConfig(false, List.of(), "256m", "32m",
        Map.of(NeoHome.AUTH_ENABLED, "true")));

    List<String> conf = Files.readAllLines(home.conf().resolve("neo4j.conf"));
    assertThat(conf).contains("dbms.security.auth_enabled=true")
        .doesNotContain("dbms.security.auth_enabled=false");
    // Neo4j reads auth.ini only when it creates the system database: a home with a store is left
    // alone (and no tool is run, so no jars are needed here).
    Files.createDirectories(home.data().resolve("databases"));
    assertThat(home.setInitialPassword(tmp.resolve("no-lib"), "secret-password")).isFalse();
    assertThat(home.initialAuthFile()).doesNotExist();
  }

  @Test
  void optionsKeepThePasswordThroughEveryWitherAndNeverPrintIt() {
    ClusterOptions options = ClusterOptions.defaults(tmp, tmp, null)
        .withAdminPassword("secret-password").withMembers(5).withFastStart(true)
        .withExtraSettings(Map.of("a", "b")).withFaultProxy(true).withDetached(true)
        .withProgress(line -> { });
    assertThat(options.authEnabled()).isTrue();
    assertThat(options.adminPassword()).isEqualTo("secret-password");
    assertThat(options.toString()).contains("auth=on").doesNotContain("secret-password");
    assertThat(ClusterOptions.defaults(tmp, tmp, null).authEnabled()).isFalse();
  }

  @Test
  void plainServerHasNoRaftLinesAndReassemblyDropsOldPlugins() throws IOException {
    Path jar = Files.writeString(tmp.resolve("old.jar"), "x");
    NeoHome home = new NeoHome(tmp.resolve("seed"), new MemberSpec(0, 1, 2, 0, 0));
    home.assemble(jar, NeoConfig.plain("256m", "32m"));
    home.assemble(null, NeoConfig.plain("256m", "32m"));

    assertThat(home.plugins()).isEmptyDirectory();
    assertThat(Files.readString(home.conf().resolve("neo4j.conf"))).doesNotContain("server.raft");
  }

  @Test
  void layoutSurvivesSaveAndLoadWithDistinctPorts() {
    ClusterLayout layout = ClusterLayout.allocate(3, true);
    layout.save(tmp);

    assertThat(ClusterLayout.load(tmp)).hasValue(layout);
    assertThat(layout.members()).allSatisfy(m -> assertThat(m.proxied()).isTrue());
    long distinct = layout.members().stream()
        .flatMap(m -> java.util.stream.Stream.of(m.boltPort(), m.httpPort(), m.raftListenPort(),
            m.raftAdvertisedPort()))
        .distinct().count();
    assertThat(distinct).isEqualTo(12);
  }

  @Test
  void boltProxiedMembersAdvertiseTheProxyAndBindTheirOwnPort() throws IOException {
    ClusterLayout layout = ClusterLayout.allocate(3, true, true);
    layout.save(tmp);
    assertThat(ClusterLayout.load(tmp)).hasValue(layout);
    assertThat(layout.members()).allSatisfy(m -> {
      assertThat(m.boltProxied()).isTrue();
      assertThat(m.boltUri()).isEqualTo("bolt://127.0.0.1:" + m.boltPort());
      assertThat(m.boltAdvertisedAddress()).isEqualTo("127.0.0.1:" + m.boltAdvertisedPort());
    });

    MemberSpec spec = layout.member(2);
    NeoHome home = new NeoHome(tmp.resolve("member-2"), spec);
    home.assemble(null, NeoConfig.plain("256m", "32m"));
    assertThat(Files.readAllLines(home.conf().resolve("neo4j.conf"))).contains(
        "server.bolt.listen_address=127.0.0.1:" + spec.boltPort(),
        "server.bolt.advertised_address=127.0.0.1:" + spec.boltAdvertisedPort());

    ClusterLayout grown = layout.withFreeMember();
    MemberSpec fourth = grown.member(4);
    assertThat(grown.members()).hasSize(4).startsWith(layout.members().toArray(new MemberSpec[0]));
    assertThat(fourth.proxied()).isTrue();
    assertThat(fourth.boltProxied()).isTrue();
    long distinct = grown.members().stream()
        .flatMap(m -> java.util.stream.Stream.of(m.boltPort(), m.httpPort(), m.raftListenPort(),
            m.raftAdvertisedPort(), m.boltAdvertisedPort()))
        .distinct().count();
    assertThat(distinct).isEqualTo(20);
  }

  @Test
  void aLayoutSavedBeforeTheBoltProxyExistedLoadsUnproxied() throws IOException {
    Files.writeString(tmp.resolve(ClusterLayout.FILE), String.join("\n",
        "members=1", "proxied=false", "member.1.bolt=7001", "member.1.http=7002",
        "member.1.raftListen=7003", "member.1.raftAdvertised=7003") + "\n");

    ClusterLayout layout = ClusterLayout.load(tmp).orElseThrow();
    assertThat(layout.boltProxied()).isFalse();
    assertThat(layout.member(1)).isEqualTo(new MemberSpec(1, 7001, 7002, 7003, 7003));
    assertThat(layout.member(1).boltAdvertisedAddress()).isEqualTo("127.0.0.1:7001");
  }

  @Test
  void agreedLeaderNeedsOneLeaderNamedByEveryone() {
    Map<String, Object> leader = Map.of("role", "LEADER", "memberId", "a", "leaderId", "a");
    Map<String, Object> follower = Map.of("role", "FOLLOWER", "memberId", "b", "leaderId", "a");
    Map<String, Object> lost = Map.of("role", "FOLLOWER", "memberId", "c", "leaderId", "");
    Map<String, Object> rival = Map.of("role", "LEADER", "memberId", "c", "leaderId", "c");

    assertThat(RaftProbe.agreedLeader(Map.of(1, leader, 2, follower))).hasValue(1);
    assertThat(RaftProbe.agreedLeader(Map.of(1, leader, 2, follower, 3, lost))).isEmpty();
    assertThat(RaftProbe.agreedLeader(Map.of(1, leader, 3, rival))).isEmpty();
    assertThat(RaftProbe.agreedLeader(Map.of(2, follower))).isEmpty();
  }
}
