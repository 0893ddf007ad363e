package io.graft.it.workload;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a workload run produced: its history (workload-specific event records, in completion
 * order), counts of operations by outcome, the digest of every member at the end, and every
 * violated check. The run passed iff {@link #problems} is empty.
 *
 * @param workload  workload name
 * @param seed      the seed that drove the run (replay with the same seed)
 * @param elapsed   wall time of the run
 * @param ok        operations acknowledged as successful
 * @param failed    operations that definitely did not take effect
 * @param unknown   operations whose outcome is unknown (errors, timeouts)
 * @param history   the recorded events
 * @param problems  each violated check, human readable
 * @param digests   store digest per member at the end
 * @param stats     informational counters (never checked), e.g. read-committed partial views
 */
public record WorkloadResult(
    String workload,
    long seed,
    Duration elapsed,
    long ok,
    long failed,
    long unknown,
    List<?> history,
    List<String> problems,
    Map<String, String> digests,
    Map<String, Object> stats) {

  public boolean valid() {
    return problems.isEmpty();
  }

  /** One paragraph for logs and assertion messages; always names the seed. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append(workload).append(" seed=").append(seed).append(" in ").append(elapsed.toMillis())
        .append(" ms: ok=").append(ok).append(" failed=").append(failed).append(" unknown=")
        .append(unknown).append(" events=").append(history.size()).append(" stats=")
        .append(stats).append(valid() ? " VALID" : " INVALID");
    for (String p : problems.subList(0, Math.min(problems.size(), 20))) {
      sb.append("\n  - ").append(p);
    }
    if (problems.size() > 20) {
      sb.append("\n  ... ").append(problems.size() - 20).append(" more");
    }
    return sb.toString();
  }
}
