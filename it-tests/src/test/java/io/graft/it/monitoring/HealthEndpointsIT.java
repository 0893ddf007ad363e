package io.graft.it.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graft.cluster.ClusterOptions;
import io.graft.cluster.LocalCluster;
import io.graft.cluster.MemberSpec;
import io.graft.it.ClusterPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logging;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
import org.neo4j.driver.Values;

/**
 * The health endpoints and metrics of real Neo4j servers with the plugin, read with a plain HTTP
 * client as a load balancer and Prometheus read them. One three-member cluster, in order:
 * codes on the leader and the followers; /graft/metrics scraped from all three under write load
 * and parsed strictly; a follower whose database Neo4j panicked (through a test procedure that
 * calls Neo4j's own DatabaseHealth.panic) stops answering available/read-only; a leader kill
 * moves writable to another member within a bound; the last member left with all its peers gone
 * answers 404 to writable, available and read-only.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HealthEndpointsIT {
  /** Election timeout 1-2 s (default), lease applied right after: generous for a loaded CI. */
  private static final Duration FAILOVER_BOUND = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static LocalCluster cluster;
  private static final List<Integer> alive = new ArrayList<>(List.of(1, 2, 3));

  @BeforeAll
  static void startCluster() {
    Path dir = Path.of(System.getProperty("graft.it.dir", "target/it-clusters"))
        .toAbsolutePath().resolve("health-" + System.currentTimeMillis());
    ClusterOptions options = ClusterOptions.defaults(dir, ClusterPaths.lib(),
            ClusterPaths.pluginJar())
        .withMembers(3)
        .withFastStart(true)
        .withExtraSettings(Map.of("dbms.security.procedures.unrestricted", "graft_test.*"))
        .withProgress(line -> System.out.println("[health] " + line));
    cluster = LocalCluster.assemble(options);
    Path panicJar = TestPluginJar.write(dir.resolve("graft-test-panic.jar"), PanicProcedure.class);
    for (int m = 1; m <= 3; m++) {
      copy(panicJar, cluster.home(m).resolve("plugins").resolve("graft-test-panic.jar"));
    }
    cluster.startAll();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void leaderIsWritableFollowersAreReadOnlyAllAreAvailable() throws Exception {
    int leader = cluster.awaitLeader();
    // The leader answers writable once its lease entry is applied, just after the election.
    await().atMost(FAILOVER_BOUND).until(() -> code(leader, "writable") == 200);
    for (int m = 1; m <= 3; m++) {
      boolean isLeader = m == leader;
      assertThat(code(m, "writable")).as("member-%d writable", m).isEqualTo(isLeader ? 200 : 404);
      assertThat(code(m, "read-only")).as("member-%d read-only", m)
          .isEqualTo(isLeader ? 404 : 200);
      assertThat(code(m, "available")).as("member-%d available", m).isEqualTo(200);
      Http.Answer body = Http.get(health(m, "writable"));
      assertThat(body.body()).isEqualTo(isLeader ? "true" : "false");
      assertThat(body.contentType()).startsWith("text/plain");
    }
    JsonNode status = status(leader);
    assertThat(status.get("role").asText()).isEqualTo("LEADER");
    assertThat(status.get("healthy").asBoolean()).isTrue();
    assertThat(status.get("participatingInRaftGroup").asBoolean()).isTrue();
    assertThat(status.get("votingMembers")).hasSize(3);
    assertThat(status.get("httpAddress").asText()).isEqualTo(base(leader));
    List<String> httpAddresses = new ArrayList<>();
    status.get("members").forEach(m -> httpAddresses.add(m.get("httpAddress").asText()));
    assertThat(httpAddresses).as("members announce their HTTP address in the Raft handshake")
        .containsExactlyInAnyOrder(base(1), base(2), base(3));
    assertThat(Http.get(base(leader) + "/db/system/cluster/writable").code())
        .as("only the replicated database has cluster endpoints").isEqualTo(404);
    Http.Answer view = Http.get(base(leader) + "/graft/view");
    assertThat(view.code()).isEqualTo(200);
    assertThat(view.body()).contains("const DATABASE = \"neo4j\";");
  }

  @Test
  @Order(2)
  void metricsFromAllMembersUnderLoadParseStrictlyAndGrow() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong acked = new AtomicLong();
    Thread writer = new Thread(() -> write(stop, acked), "health-it-writer");
    writer.start();
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> acked.get() >= 20);
      Map<Integer, Map<String, PrometheusText.Family>> first = scrapeAll();
      long ackedAtFirst = acked.get();
      await().atMost(Duration.ofSeconds(60)).until(() -> acked.get() >= ackedAtFirst + 50);
      Map<Integer, Map<String, PrometheusText.Family>> second = scrapeAll();
      int leaders = 0;
      for (int m : alive) {
        double isLeader = gauge(second.get(m), "graft_raft_is_leader");
        leaders += isLeader == 1.0 ? 1 : 0;
        assertThat(gauge(second.get(m), "graft_raft_up")).isEqualTo(1.0);
        assertThat(gauge(second.get(m), "graft_raft_commit_index"))
            .as("member-%d commit index grows under load", m)
            .isGreaterThan(gauge(first.get(m), "graft_raft_commit_index"));
        assertThat(gauge(second.get(m), "graft_raft_applied_index"))
            .isGreaterThan(gauge(first.get(m), "graft_raft_applied_index"));
        assertThat(counter(second, m, "graft_raft_leader_changes_total"))
            .as("member-%d saw at least the first leader", m).isGreaterThanOrEqualTo(1.0);
        assertThat(second.get(m).get("graft_raft_role").samples()).hasSize(5);
      }
      assertThat(leaders).as("exactly one member has graft_raft_is_leader 1").isEqualTo(1);
      int leader = alive.stream().filter(m -> gauge(second.get(m), "graft_raft_is_leader") == 1)
          .findFirst().orElseThrow();
      assertThat(second.get(leader).get("graft_raft_follower_match_index").samples())
          .as("the leader exports each follower's match index").hasSize(2);
      // core-raft's own counters and histograms (RaftNode.metrics()) grow under the load too.
      assertThat(counter(second, leader, "graft_raft_proposals_total"))
          .isGreaterThan(counter(first, leader, "graft_raft_proposals_total"));
      assertThat(histogramCount(second, leader, "graft_raft_write_latency_seconds", "stage",
          "committed")).as("commit latency observations on the leader").isGreaterThan(
          histogramCount(first, leader, "graft_raft_write_latency_seconds", "stage",
              "committed"));
      for (int m : alive) {
        assertThat(counter(second, m, "graft_raft_log_fsyncs_total"))
            .as("member-%d fsyncs its Raft log under load", m)
            .isGreaterThan(counter(first, m, "graft_raft_log_fsyncs_total"));
        // Counter and histogram are recorded one after the other: equal up to in-flight fsyncs.
        double fsyncs = counter(second, m, "graft_raft_log_fsyncs_total");
        assertThat(histogramCount(second, m, "graft_raft_log_fsync_duration_seconds"))
            .isBetween(fsyncs - 2, fsyncs + 2);
      }
    } finally {
      stop.set(true);
      writer.join(TimeUnit.SECONDS.toMillis(30));
    }
  }

  @Test
  @Order(3)
  void followerWhoseDatabasePanickedIsNeitherAvailableNorReadOnly() throws Exception {
    int leader = cluster.awaitLeader();
    int follower = alive.stream().filter(m -> m != leader).findFirst().orElseThrow();
    try (Session s = cluster.probe().session(follower)) {
      s.run("CALL graft_test.panic($reason)", Values.parameters("reason", "health IT"))
          .consume();
    }
    await().atMost(Duration.ofSeconds(10))
        .until(() -> code(follower, "available") == 404);
    assertThat(code(follower, "read-only")).isEqualTo(404);
    assertThat(code(follower, "writable")).isEqualTo(404);
    JsonNode status = status(follower);
    assertThat(status.get("healthy").asBoolean()).isFalse();
    assertThat(status.get("panic").asText()).contains("health IT");
    assertThat(code(leader, "writable")).as("the others are unaffected").isEqualTo(200);

    System.out.println("[health] restarting the panicked member-" + follower);
    cluster.restart(follower);
    await().atMost(Duration.ofSeconds(60)).until(() -> code(follower, "available") == 200);
    assertThat(code(follower, "read-only")).isEqualTo(200);
  }

  @Test
  @Order(4)
  void afterALeaderKillAnotherMemberBecomesWritableWithinTheBound() {
    int leader = cluster.awaitLeader();
    long killedAt = System.nanoTime();
    cluster.kill9(leader);
    alive.remove(Integer.valueOf(leader));
    await().atMost(FAILOVER_BOUND).pollInterval(Duration.ofMillis(100))
        .until(() -> alive.stream().anyMatch(m -> code(m, "writable") == 200));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
    System.out.println("[health] writable moved off the killed leader after " + millis + " ms");
    int newLeader = alive.stream().filter(m -> code(m, "writable") == 200).findFirst()
        .orElseThrow();
    int other = alive.stream().filter(m -> m != newLeader).findFirst().orElseThrow();
    await().atMost(FAILOVER_BOUND).until(() -> code(other, "read-only") == 200);
    assertThat(code(newLeader, "read-only")).isEqualTo(404);
    assertThat(code(leader, "available")).as("the killed member answers nothing").isEqualTo(-1);
  }

  @Test
  @Order(5)
  void theLastMemberWithAllPeersGoneAnswersNotAvailable() throws Exception {
    int leader = alive.stream().filter(m -> code(m, "writable") == 200).findFirst()
        .orElseGet(() -> alive.get(0));
    cluster.kill9(leader);
    alive.remove(Integer.valueOf(leader));
    int last = alive.get(0);
    long killedAt = System.nanoTime();
    await().atMost(FAILOVER_BOUND).pollInterval(Duration.ofMillis(100))
        .until(() -> code(last, "available") == 404);
    System.out.println("[health] member-" + last + " stopped answering available "
        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt) + " ms after its last"
        + " peer died");
    assertThat(code(last, "writable")).isEqualTo(404);
    assertThat(code(last, "read-only")).isEqualTo(404);
    JsonNode status = status(last);
    assertThat(status.get("healthy").asBoolean()).as("its database itself is fine").isTrue();
    assertThat(status.get("participatingInRaftGroup").asBoolean()).isFalse();
    assertThat(status.get("leaderId").isNull()).isTrue();
    assertThat(status.get("problems").toString()).contains("no leader known");
  }

  // ---- helpers ----

  private static void write(AtomicBoolean stop, AtomicLong acked) {
    MemberSpec first = cluster.layout().member(1);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    try (Driver driver = GraphDatabase.driver("neo4j://" + MemberSpec.HOST + ":"
            + first.boltPort(), AuthTokens.none(), Config.builder().withLogging(Logging.none())
            .withMaxTransactionRetryTime(10, TimeUnit.SECONDS).build());
        Session session = driver.session(SessionConfig.forDatabase("neo4j"))) {
      for (long i = 0; !stop.get() && System.nanoTime() < deadline; i++) {
        long n = i;
        session.executeWriteWithoutResult(tx -> tx.run("CREATE (:HealthLoad {i: $i})",
            Values.parameters("i", n)).consume());
        acked.incrementAndGet();
      }
    }
  }

  private static Map<Integer, Map<String, PrometheusText.Family>> scrapeAll() {
    Map<Integer, Map<String, PrometheusText.Family>> out = new java.util.HashMap<>();
    for (int m : alive) {
      Http.Answer a = Http.get(base(m) + "/graft/metrics");
      assertThat(a.code()).as("member-%d /graft/metrics", m).isEqualTo(200);
      // Jetty rewrites the header's parameters (text/plain;charset=utf-8;version=0.0.4).
      assertThat(a.contentType().replace(" ", "").split(";"))
          .contains("text/plain", "version=0.0.4");
      out.put(m, PrometheusText.parse(a.body()));
    }
    return out;
  }

  private static double gauge(Map<String, PrometheusText.Family> families, String name) {
    PrometheusText.Family f = families.get(name);
    assertThat(f).as(name).isNotNull();
    assertThat(f.type()).isEqualTo("gauge");
    return f.value();
  }

  private static double counter(Map<Integer, Map<String, PrometheusText.Family>> scrape,
      int member, String name) {
    PrometheusText.Family f = scrape.get(member).get(name);
    assertThat(f).as("member-%d %s", member, name).isNotNull();
    assertThat(f.type()).isEqualTo("counter");
    return f.value();
  }

  private static double histogramCount(Map<Integer, Map<String, PrometheusText.Family>> scrape,
      int member, String name, String... labels) {
    PrometheusText.Family f = scrape.get(member).get(name);
    assertThat(f).as("member-%d %s", member, name).isNotNull();
    assertThat(f.type()).isEqualTo("histogram");
    return f.sample(name + "_count", labels);
  }

  private static String base(int member) {
    return "http://" + MemberSpec.HOST + ":" + cluster.layout().member(member).httpPort();
  }

  private static String health(int member, String check) {
    return base(member) + "/db/neo4j/cluster/" + check;
  }

  private static int code(int member, String check) {
    return Http.get(health(member, check)).code();
  }

  private static JsonNode status(int member) throws IOException {
    Http.Answer a = Http.get(health(member, "status"));
    assertThat(a.code()).isEqualTo(200);
    return JSON.readTree(a.body());
  }

  private static void copy(Path from, Path to) {
    try {
      Files.copy(from, to);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
