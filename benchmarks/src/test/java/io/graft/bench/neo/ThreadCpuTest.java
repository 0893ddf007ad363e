package io.graft.bench.neo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Per-group CPU, switch-in, migration and preemption differences, and the report's tables (no
 * servers here).
 */
class ThreadCpuTest {
  private static Object[] thread(String group, long ms, long switches) {
    return thread(group, ms, switches, 0);
  }

  private static Object[] thread(String group, long ms, long switches, long migrations) {
    return new Object[] {group, ms, switches, migrations, migrations * 2};
  }

  @Test
  void switchInsAreSummedPerGroupOverTheWindow() {
    Map<Long, Object[]> before = Map.of(
        1L, thread("bolt-worker", 100, 1_000),
        2L, thread("bolt-worker", 50, 500),
        3L, thread("graft-raft", 10, 70));
    Map<Long, Object[]> after = Map.of(
        1L, thread("bolt-worker", 130, 1_400),
        2L, thread("bolt-worker", 60, 600),
        3L, thread("graft-raft", 10, 70), // idle in the window: left out
        4L, thread("graft-apply", 5, 30)); // started in the window: counted from zero
    assertThat(ThreadCpu.switches(before, after))
        .containsExactlyInAnyOrderEntriesOf(Map.of("bolt-worker", 500L, "graft-apply", 30L));
    assertThat(ThreadCpu.diff(before, after))
        .containsExactlyInAnyOrderEntriesOf(Map.of("bolt-worker", 40L, "graft-apply", 5L));
  }

  @Test
  void migrationsAndPreemptionsAreSummedPerGroupOverTheWindow() {
    Map<Long, Object[]> before = Map.of(
        1L, thread("bolt-worker", 100, 1_000, 300),
        2L, thread("graft-apply", 10, 70, 20));
    Map<Long, Object[]> after = Map.of(
        1L, thread("bolt-worker", 130, 1_400, 360),
        2L, thread("graft-apply", 12, 90, 20), // neither moved nor preempted in the window: left out
        3L, thread("graft-net", 5, 30, 4));
    assertThat(ThreadCpu.migrations(before, after))
        .containsExactlyInAnyOrderEntriesOf(Map.of("bolt-worker", 60L, "graft-net", 4L));
    assertThat(ThreadCpu.preemptions(before, after))
        .containsExactlyInAnyOrderEntriesOf(Map.of("bolt-worker", 120L, "graft-net", 8L));
    assertThat(ThreadCpu.migrations(before, Map.of(1L, thread("bolt-worker", 1, 1, -1))))
        .isEmpty();
  }

  @Test
  void linuxThreadNamesFallIntoTheirGroups() {
    // /proc/<pid>/task/<tid>/comm holds the first 15 characters of the Java name
    assertThat(ThreadCpu.group("graft-raft-127.")).isEqualTo("graft-raft"); // the owner
    assertThat(ThreadCpu.group("graft-net-127.0")).isEqualTo("graft-net"); // its event loop
    assertThat(ThreadCpu.group("graft-log-sync-")).isEqualTo("graft-fsync");
    assertThat(ThreadCpu.group("graft-apply-127")).isEqualTo("graft-apply");
    assertThat(ThreadCpu.group("graft-ticker-12")).isEqualTo("graft-other");
    assertThat(ThreadCpu.group("neo4j.BoltWorke")).isEqualTo("bolt-worker");
    assertThat(ThreadCpu.group("FileSystemWatch")).isEqualTo("jvm-other");
  }

  @Test
  void noSwitchFiguresWhenSchedstatWasNotReadable() {
    Map<Long, Object[]> before = Map.of(1L, thread("bolt-worker", 100, -1));
    Map<Long, Object[]> after = Map.of(1L, thread("bolt-worker", 130, -1));
    assertThat(ThreadCpu.switches(before, after)).isEmpty();
  }

  @Test
  void readsThisProcessesOwnThreads() {
    Map<Long, Object[]> now = ThreadCpu.sample(ProcessHandle.current().pid());
    assertThat(now).isNotEmpty();
    // schedstat exists on this kernel (Linux with CONFIG_SCHEDSTATS or sched_info)
    assertThat(now.values()).allSatisfy(v -> assertThat((Long) v[2]).isGreaterThanOrEqualTo(0));
    // and /proc/<pid>/task/<tid>/sched (CONFIG_SCHED_DEBUG) with se.nr_migrations
    assertThat(now.values()).allSatisfy(v -> assertThat((Long) v[3]).isGreaterThanOrEqualTo(0));
    assertThat(now.values()).allSatisfy(v -> assertThat((Long) v[4]).isGreaterThanOrEqualTo(0));
  }

  @Test
  void theReportShowsWakeUpsPerTransactionWithEachProcessesTotal() {
    NeoReport report = new NeoReport(Instant.EPOCH, 10, 60, "1g", "256m");
    NeoLoad.Result r = new NeoLoad.Result("cluster", 16, 1000, 10, 1.0, 2.0, 0, "");
    report.add(new Cell("cluster", true, r, Map.of("leader", 0.3, "client", 0.1),
        new NeoLoad.Warmup(List.of(), 10, true, 0),
        Map.of("leader", Map.of("bolt-worker", 0.2, "graft-raft", 0.05)),
        Map.of("leader", Map.of("bolt-worker", 2.5, "graft-raft", 0.75)),
        Map.of("leader", Map.of("bolt-worker", 0.4)),
        Map.of("leader", Map.of("bolt-worker", 0.9))));
    String md = report.markdown();
    assertThat(md).contains("Switch-ins (wake-ups) per committed transaction");
    assertThat(md).contains("Migrations to another CPU per committed transaction");
    assertThat(md).contains("| yes | 16 | cluster | leader | 0.40 | 0.00 |");
    assertThat(md).contains("Preemptions per committed transaction");
    assertThat(md).contains("| yes | 16 | cluster | leader | 0.90 | 0.00 |");
    assertThat(md).contains("| yes | 16 | cluster | leader | 2.50 | 0.00 | 0.00 | 0.75 |");
    assertThat(md).contains("| 0.00 | 3.25 |");
  }
}
