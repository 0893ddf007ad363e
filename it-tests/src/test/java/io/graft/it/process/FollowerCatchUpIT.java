package io.graft.it.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.cluster.LocalCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.neo4j.driver.Session;

/**
 * Catch-up measurement, prepared for issue 6's "catch-up time of a new member vs store size":
 * a follower is cut off from the others (all its Raft links, through the fault proxy) while the
 * leader commits {@code S} MB of writes, then rejoins; the time until its applied index reaches
 * the leader's is measured for each {@code S}. Today it catches up by log replication only
 * (AppendEntries, §5.3); with membership changes and snapshots merged, the same loop can start a
 * new member instead, and the rows become "new member vs store size".
 *
 * <p>A measurement, not a speed test: opt-in with {@code -Dcatchup.sizesMb=1,8,32}; it asserts
 * only correctness (the follower catches up within a generous bound, identical digests), prints
 * a Markdown table (time to the first byte after the heal, i.e. the transport's reconnect
 * back-off, is shown apart from the streaming itself) and writes it to
 * {@code target/follower-catch-up.md}. Command:
 * {@code mvn -B -pl it-tests -am verify -Dtest=FollowerCatchUpIT -Dcatchup.sizesMb=1,8,32
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "catchup.sizesMb", matches = "[0-9, ]+")
class FollowerCatchUpIT {
  private static final int TX_KB = 256;
  private static final int ROW_BYTES = 1_024;
  private static final Duration CATCH_UP_BOUND = Duration.ofMinutes(10);

  /** One measured row. */
  private record Row(int mb, long entries, long backlogBytes, Duration firstByte,
      Duration catchUp) {
    String markdown() {
      double seconds = catchUp.toMillis() / 1_000.0;
      double streaming = (catchUp.toMillis() - firstByte.toMillis()) / 1_000.0;
      return String.format("| %d | %d | %.1f | %.2f | %.2f | %.1f |", mb, entries,
          backlogBytes / 1e6, firstByte.toMillis() / 1_000.0, seconds,
          streaming <= 0 ? 0 : backlogBytes / 1e6 / streaming);
    }
  }

  @Test
  void aCutOffFollowerCatchesUpAndTheTimeIsRecorded() throws Exception {
    List<Integer> sizes = new ArrayList<>();
    for (String s : System.getProperty("catchup.sizesMb").split(",")) {
      if (!s.isBlank()) {
        sizes.add(Integer.parseInt(s.trim()));
      }
    }
    List<Row> rows = new ArrayList<>();
    try (LocalCluster local = LocalCluster.start(ProcessFixtures.options("catch-up", 3, true,
        true)); GraftProcessCluster cluster = new GraftProcessCluster(local)) {
      for (int mb : sizes) {
        rows.add(measure(local, mb));
        Map<String, String> digests = cluster.digests();
        assertThat(new HashSet<>(digests.values())).as("digests after %d MB: %s", mb, digests)
            .hasSize(1);
      }
    }
    report(rows);
  }

  private static Row measure(LocalCluster local, int mb) {
    int leader = local.awaitLeader();
    int follower = leader % local.size() + 1;
    local.proxy().isolate(follower);
    long before = appliedIndex(local, leader);
    try (Session session = local.probe().session(leader)) {
      String pad = "x".repeat(ROW_BYTES);
      int rowsPerTx = TX_KB * 1_024 / ROW_BYTES;
      for (int tx = 0; tx < mb * 1_024 / TX_KB; tx++) {
        session.executeWrite(t -> t.run("UNWIND range(1, $n) AS i CREATE (:CatchUp {pad: $pad})",
            Map.of("n", rowsPerTx, "pad", pad)).consume());
      }
    }
    long target = appliedIndex(local, leader);
    long bytesBefore = local.proxy().bytesForwarded(follower);
    long began = System.nanoTime();
    local.proxy().rejoin(follower);
    long deadline = began + CATCH_UP_BOUND.toNanos();
    long firstByte = -1;
    while (appliedIndex(local, follower) < target) {
      if (firstByte < 0 && local.proxy().bytesForwarded(follower) > bytesBefore) {
        firstByte = System.nanoTime() - began;
      }
      assertThat(System.nanoTime()).as("member-%d caught up to %d within %s", follower, target,
          CATCH_UP_BOUND).isLessThan(deadline);
      ProcessFixtures.pause(Duration.ofMillis(20));
    }
    Duration took = Duration.ofNanos(System.nanoTime() - began);
    long backlog = local.proxy().bytesForwarded(follower) - bytesBefore;
    Duration reconnect = firstByte < 0 ? took : Duration.ofNanos(firstByte);
    Row row = new Row(mb, target - before, backlog, reconnect, took);
    System.out.println("[catch-up] member-" + follower + ": " + row.markdown());
    return row;
  }

  private static long appliedIndex(LocalCluster local, int member) {
    return local.probe().status(member).map(r -> r.get("appliedIndex"))
        .filter(Long.class::isInstance).map(Long.class::cast).orElse(-1L);
  }

  private static void report(List<Row> rows) throws IOException {
    StringBuilder out = new StringBuilder();
    out.append("Follower catch-up after being cut off while the leader committed S MB ")
        .append("(3 members, loopback, fsync on, ").append(TX_KB).append(" KB transactions)\n\n")
        .append("| S (MB) | entries behind | bytes into the follower (MB) | first byte (s) |")
        .append(" caught up (s) | MB/s after first byte |\n|---|---|---|---|---|---|\n");
    rows.forEach(r -> out.append(r.markdown()).append('\n'));
    System.out.println(out);
    Path file = Path.of("target", "follower-catch-up.md");
    Files.createDirectories(file.getParent());
    Files.writeString(file, out.toString());
  }
}
