package io.graft.it.workload;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Thread-safe collector of violated checks. Identical messages are folded into one with a count,
 * and at most {@value #KEEP} distinct messages of the run phase are kept verbatim (the rest are
 * counted), so a run that goes badly wrong still produces a readable report. Every problem found
 * after {@link #endRun()} (the end-of-run checks: totals, missing values, digests) is always kept:
 * a flood of in-run problems must never hide the final verdict.
 */
final class Problems {

  private static final int KEEP = 50;

  private final Map<String, Integer> kept = new LinkedHashMap<>();
  private int dropped;
  private boolean runEnded;

  /** The run phase is over: from now on every distinct problem is kept. */
  synchronized void endRun() {
    runEnded = true;
  }

  synchronized void add(String problem) {
    if (runEnded || kept.containsKey(problem) || kept.size() < KEEP) {
      kept.merge(problem, 1, Integer::sum);
    } else {
      dropped++;
    }
  }

  /** Adds {@code problem} when {@code violated}; returns {@code violated}. */
  boolean check(boolean violated, String problem) {
    if (violated) {
      add(problem);
    }
    return violated;
  }

  synchronized List<String> list() {
    List<String> out = new ArrayList<>();
    kept.forEach((p, n) -> out.add(n == 1 ? p : p + " (x" + n + ")"));
    if (dropped > 0) {
      out.add("... and " + dropped + " more problems");
    }
    return out;
  }
}
