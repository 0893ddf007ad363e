package io.graft.bench.neo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interleaved report's arithmetic: each round's ratio compares the two cells of that round,
 * and the table gives the median with the range (no benchmark runs here).
 */
class NeoReportRoundsTest {
  @TempDir Path tmp;

  private static Cell cell(String system, double txPerSecond, Map<String, Double> cpu) {
    NeoLoad.Result r = new NeoLoad.Result(system, 16, Math.round(txPerSecond * 10), 10, 1.0,
        2.0, 0, "");
    return new Cell(system, false, r, cpu, new NeoLoad.Warmup(List.of(), 10, true, 0), Map.of(),
        Map.of(), Map.of(), Map.of());
  }

  @Test
  void ratiosComeFromTheSameRoundAndTheTableGivesMedianAndRange() throws Exception {
    NeoReport report = new NeoReport(Instant.EPOCH, 10, 60, "1g", "256m");
    // the machine is twice as fast in round 2: the ratios do not move
    double[] speed = {1.0, 2.0, 1.0};
    double[] leaderCpu = {0.36, 0.18, 0.39};
    for (int round = 1; round <= 3; round++) {
      double k = speed[round - 1];
      report.addRound(round, cell("single", 1000 * k, Map.of("single", 0.30 / k, "client", 0.1)));
      report.addRound(round, cell("cluster", 800 * k, Map.of("leader", leaderCpu[round - 1],
          "follower-1", 0.06 / k, "follower-2", 0.06 / k, "client", 0.1)));
    }
    String md = report.markdown();
    assertThat(md).contains("**Interleaved, 3 rounds**");
    // tx 0.80 every round; leader 1.20, 1.20, 1.30 (median 1.20); followers 0.20 every round
    assertThat(md).contains("| no | 16 | cluster | 0.80 [0.80-0.80] | 1.20 [1.20-1.30] |"
        + " 0.20 [0.20-0.20] |");
    assertThat(report.plot(tmp.resolve("p.png"))).isTrue();
    assertThat(Files.size(tmp.resolve("p.png"))).isPositive();
  }
}
