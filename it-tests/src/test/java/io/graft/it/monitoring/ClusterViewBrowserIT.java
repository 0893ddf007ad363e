package io.graft.it.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.graft.cluster.ClusterOptions;
import io.graft.cluster.LocalCluster;
import io.graft.cluster.MemberSpec;
import io.graft.it.ClusterPaths;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The live cluster view in a real browser (headless Chromium) against a running three-member
 * cluster: the page is loaded from the LEADER, which is then killed with kill -9; the page, left
 * without the server it came from, must go on polling the others and show the member as
 * unreachable, the new leader, and the new term in its list of leader changes. Asserts on the
 * DOM; the before/after screenshots (target/cluster-view/*.png) are for people.
 *
 * <p>Runs only with {@code -Dgraft.browser=true} (it needs Debian's chromium package, which CI
 * does not install; see README "Monitoring"):
 * {@code mvn -B -pl it-tests -am verify -Dtest=ClusterViewBrowserIT -Dgraft.browser=true
 * -Dsurefire.failIfNoSpecifiedTests=false}, or {@code it-tests/run-browser-test.sh}.
 */
@EnabledIfSystemProperty(named = "graft.browser", matches = "true")
class ClusterViewBrowserIT {
  private static final Duration BOUND = Duration.ofSeconds(30);

  @Test
  void viewShowsTheFailoverAfterTheLeaderItCameFromIsKilled() {
    Path dir = Path.of(System.getProperty("graft.it.dir", "target/it-clusters")).toAbsolutePath()
        .resolve("view-" + System.currentTimeMillis());
    Path shots = Path.of("target", "cluster-view").toAbsolutePath();
    ClusterOptions options = ClusterOptions.defaults(dir, ClusterPaths.lib(),
            ClusterPaths.pluginJar())
        .withMembers(3).withFastStart(true).withExtraSettings(Map.of())
        .withProgress(line -> System.out.println("[view] " + line));
    try (LocalCluster cluster = LocalCluster.start(options)) {
      int leader = cluster.awaitLeader();
      String leaderId = cluster.layout().member(leader).raftAdvertisedAddress();
      String url = "http://" + MemberSpec.HOST + ":" + cluster.layout().member(leader).httpPort()
          + "/graft/view";
      await().atMost(BOUND).until(() -> Http.get(url.replace("/graft/view",
          "/db/neo4j/cluster/writable")).code() == 200);
      try (HeadlessChromium browser = HeadlessChromium.open(url, dir.resolve("chromium"), 1400,
          820)) {
        await().atMost(BOUND).pollInterval(HeadlessChromium.pollInterval()).until(() ->
            "3".equals(browser.eval(
                "document.querySelectorAll('tr.member[data-reachable=\"true\"]').length"))
            && ("\"" + leaderId + "\"").equals(
                browser.eval("document.getElementById('leader').textContent"))
            && "\"true\"".equals(browser.eval("document.querySelector("
                + "'tr.member[data-member-id=\"" + leaderId + "\"]').dataset.writable")));
        long termBefore = Long.parseLong(unquote(
            browser.eval("document.getElementById('term').textContent")));
        browser.screenshot(shots.resolve("before.png"));

        cluster.kill9(leader);
        System.out.println("[view] killed the leader member-" + leader + " (" + leaderId + ")");

        await().atMost(BOUND).pollInterval(HeadlessChromium.pollInterval()).until(() -> {
          String newLeader = unquote(browser.eval("document.getElementById('leader').textContent"));
          return "\"false\"".equals(browser.eval("document.querySelector('tr.member"
                  + "[data-member-id=\"" + leaderId + "\"]').dataset.reachable"))
              && !newLeader.equals(leaderId) && !newLeader.equals("none")
              && !newLeader.equals("?")
              && "\"LEADER\"".equals(browser.eval("document.querySelector('tr.member"
                  + "[data-member-id=\"" + newLeader + "\"]').dataset.role"))
              && "\"true\"".equals(browser.eval("document.querySelector('tr.member"
                  + "[data-member-id=\"" + newLeader + "\"]').dataset.writable"));
        });
        String newLeader = unquote(browser.eval("document.getElementById('leader')"
            + ".textContent"));
        long termAfter = Long.parseLong(unquote(
            browser.eval("document.getElementById('term').textContent")));
        assertThat(termAfter).as("a new term after the election").isGreaterThan(termBefore);
        await().atMost(BOUND).pollInterval(HeadlessChromium.pollInterval()).until(() ->
            browser.eval("Array.from(document.querySelectorAll('li.change')).map(li =>"
                + " li.dataset.term + '/' + li.dataset.leaderId)")
                .contains(termAfter + "/" + newLeader));
        assertThat(browser.eval("document.getElementById('reachable').textContent"))
            .isEqualTo("\"2 / 3\"");
        assertThat(browser.eval("document.getElementById('banner').textContent"))
            .contains(newLeader + " leads term " + termAfter).contains("2 of 3 members answer");
        browser.screenshot(shots.resolve("after.png"));
        System.out.println("[view] screenshots: " + shots.resolve("before.png") + ", "
            + shots.resolve("after.png"));
      }
    }
  }

  private static String unquote(String json) {
    return json.length() >= 2 && json.startsWith("\"") ? json.substring(1, json.length() - 1)
        : json;
  }
}
