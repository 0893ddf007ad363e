package io.graft.plugin.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The HTTP answers without a web server: paths, codes and bodies as Neo4j Enterprise gives them
 * ({@code true}/{@code false} text, 200/404), the status document as JSON a real parser reads,
 * the metrics text, and the view page with no external resource.
 */
class GraftHttpTest {
  private final AtomicReference<MemberState> state = new AtomicReference<>(States.leader(true));
  private final GraftHttp http = new GraftHttp("/db", state::get, 1000, "*", () -> 12345L);

  @Test
  void healthPathsMatchOnlyTheDatabaseApiMount() {
    assertThat(http.healthForPath("/db/neo4j/cluster/writable")).isPresent();
    assertThat(http.healthForPath("/db/neo4j/cluster/read-only/")).isPresent();
    assertThat(http.healthForPath("/db/neo4j/cluster/status")).isPresent();
    assertThat(http.healthForPath("/db/neo4j/cluster/bogus")).isEmpty();
    assertThat(http.healthForPath("/db/neo4j/tx")).isEmpty();
    assertThat(http.healthForPath("/other/neo4j/cluster/writable")).isEmpty();
    assertThat(http.healthForPath("/neo4j/cluster/writable")).isEmpty();
    assertThat(http.healthForPath(null)).isEmpty();
  }

  @Test
  void leaderAnswersLikeEnterprise() {
    assertReply("/db/neo4j/cluster/writable", 200, "true");
    assertReply("/db/neo4j/cluster/read-only", 404, "false");
    assertReply("/db/neo4j/cluster/available", 200, "true");
  }

  @Test
  void followerAnswersLikeEnterprise() {
    state.set(States.follower("a:7000", 10, 10));
    assertReply("/db/neo4j/cluster/writable", 404, "false");
    assertReply("/db/neo4j/cluster/read-only", 200, "true");
    assertReply("/db/neo4j/cluster/available", 200, "true");
  }

  @Test
  void aDatabaseGraftDoesNotReplicateIsNotFound() {
    assertReply("/db/system/cluster/writable", 404, "false");
    GraftHttp.Reply status = http.healthForPath("/db/system/cluster/status").orElseThrow();
    assertThat(status.status()).isEqualTo(404);
    assertThat(body(status)).contains("not replicated by graft");
  }

  @Test
  void publicAnswersAreNotCachedAndAllowTheViewToReadThemCrossOrigin() {
    GraftHttp.Reply r = http.healthForPath("/db/neo4j/cluster/status").orElseThrow();
    assertThat(r.headers()).containsEntry("Cache-Control", "no-store")
        .containsEntry("Access-Control-Allow-Origin", "*");
    GraftHttp noCors = new GraftHttp("/db", state::get, 1000, "", () -> 0L);
    assertThat(noCors.health("neo4j", "writable").headers())
        .doesNotContainKey("Access-Control-Allow-Origin");
  }

  @Test
  void statusDocumentHasTheStatusRowHealthMembersAndEnterpriseFields() throws Exception {
    GraftHttp.Reply r = http.health("neo4j", "status");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).startsWith("application/json");
    JsonNode doc = new ObjectMapper().readTree(r.body());
    for (String column : new String[] {"memberId", "raftAddress", "boltAddress", "role", "term",
        "leaderId", "leaderBoltAddress", "commitIndex", "appliedIndex", "lastLogIndex", "lastTxId",
        "votingMembers"}) {
      assertThat(doc.has(column)).as("raft.status() column %s", column).isTrue();
    }
    assertThat(doc.get("role").asText()).isEqualTo("LEADER");
    assertThat(doc.get("writable").asBoolean()).isTrue();
    assertThat(doc.get("healthy").asBoolean()).isTrue();
    assertThat(doc.get("participatingInRaftGroup").asBoolean()).isTrue();
    assertThat(doc.get("lastAppliedRaftIndex").asLong()).isEqualTo(100);
    assertThat(doc.get("leader").asText()).isEqualTo("a:7000");
    assertThat(doc.get("httpAddress").asText()).isEqualTo("http://a:7474");
    assertThat(doc.get("members")).hasSize(3);
    JsonNode b = doc.get("members").get(1);
    assertThat(b.get("memberId").asText()).isEqualTo("b:7000");
    assertThat(b.get("httpAddress").asText()).isEqualTo("http://b:7474");
    assertThat(b.get("lag").asLong()).isEqualTo(3);
    assertThat(doc.get("events").get(0).get("leaderId").asText()).isEqualTo("a:7000");
    assertThat(doc.get("timeMillis").asLong()).isEqualTo(12345L);
    assertThat(doc.get("snapshotTransfers").get(0).get("to").asText()).isEqualTo("c:7000");
    assertThat(doc.get("snapshotTransfers").get(0).get("bytesTotal").asLong())
        .isEqualTo(4_000_000);
  }

  @Test
  void statusOfAMemberWhoseDatabaseIsDownStillAnswers() throws Exception {
    state.set(MemberState.notRunning("neo4j", "http://a:7474"));
    JsonNode doc = new ObjectMapper().readTree(http.health("neo4j", "status").body());
    assertThat(doc.get("role").isNull()).isTrue();
    assertThat(doc.get("available").asBoolean()).isFalse();
    assertThat(doc.get("problems").get(0).asText()).contains("not running");
    assertReply("/db/neo4j/cluster/available", 404, "false");
  }

  @Test
  void metricsAreThePrometheusTextFormat() {
    GraftHttp.Reply r = http.metrics();
    assertThat(r.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
    String text = body(r);
    assertThat(text).contains("# TYPE graft_raft_is_leader gauge\n")
        .contains("\ngraft_raft_is_leader 1.0\n")
        .contains("graft_raft_role{role=\"LEADER\"} 1.0\n")
        .contains("graft_raft_role{role=\"FOLLOWER\"} 0.0\n")
        .contains("# TYPE graft_raft_leader_changes_total counter\n")
        .contains("graft_raft_leader_changes_total 2.0\n")
        .contains("graft_raft_proposals_total 7.0\n")
        .contains("graft_raft_elections_started_total 2.0\n")
        .contains("graft_raft_log_entries_per_fsync 2.5\n")
        .contains("graft_raft_log_fsync_duration_seconds_bucket{le=\"2.5E-4\"} 0\n")
        .contains("graft_raft_log_fsync_duration_seconds_bucket{le=\"5.0E-4\"} 1\n")
        .contains("graft_raft_log_fsync_duration_seconds_bucket{le=\"2.5\"} 2\n")
        .contains("graft_raft_log_fsync_duration_seconds_count 2\n")
        .contains("graft_raft_write_latency_seconds_bucket{stage=\"committed\",le=\"0.005\"} 2\n")
        .contains("graft_raft_write_latency_seconds_count{stage=\"sent\"} 0\n")
        .contains("graft_raft_snapshot_sends_started_total 2.0\n")
        .contains("graft_raft_snapshot_sent_bytes_total 3000000.0\n")
        .contains("graft_raft_snapshot_transfer_acked_bytes{member=\"c:7000\"} 1000000.0\n")
        .contains("graft_raft_snapshot_transfer_total_bytes{member=\"c:7000\"} 4000000.0\n")
        .contains("graft_raft_refused_connections_total{by=\"self\",reason=\"cluster_id\"} 3.0\n")
        .contains("graft_raft_refused_connections_total{by=\"peer\",reason=\"reset_member\"} 1.0\n")
        .contains("graft_raft_transport_reconnects_total 5.0\n")
        .contains("graft_raft_follower_lag_entries{member=\"b:7000\",role=\"FOLLOWER\"} 3.0\n")
        .contains("graft_raft_commit_index 100.0\n");
  }

  @Test
  void onlyTheLeaderExportsPerFollowerSeries() {
    state.set(States.follower("a:7000", 10, 10));
    assertThat(body(http.metrics())).contains("graft_raft_is_leader 0.0")
        .doesNotContain("graft_raft_follower_");
  }

  @Test
  void viewIsOneSelfContainedPageForTheReplicatedDatabase() {
    GraftHttp.Reply r = http.view();
    assertThat(r.contentType()).startsWith("text/html");
    String page = body(r);
    assertThat(page).contains("const DATABASE = \"neo4j\";")
        .contains("const DB_API_PATH = \"/db\";")
        .doesNotContain("__GRAFT_")
        .doesNotContainPattern("(src|href)=\"(https?:)?//")
        .doesNotContain("@import");
  }

  private void assertReply(String path, int status, String body) {
    GraftHttp.Reply r = http.healthForPath(path).orElseThrow();
    assertThat(r.status()).as(path).isEqualTo(status);
    assertThat(body(r)).as(path).isEqualTo(body);
    assertThat(r.contentType()).startsWith("text/plain");
  }

  private static String body(GraftHttp.Reply r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }
}
