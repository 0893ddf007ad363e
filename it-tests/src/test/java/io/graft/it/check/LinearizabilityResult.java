package io.graft.it.check;

import java.time.Duration;
import java.util.List;

/**
 * Verdict of {@link LinearizabilityChecker}. Only {@link Verdict#LINEARIZABLE} is a pass: a
 * {@link Verdict#TIMEOUT} means "not proven" and every caller treats it as a failure.
 *
 * @param verdict        the outcome
 * @param failedKey      the first register whose history is not linearizable (or timed out)
 * @param longestPrefix  for a failure: the longest sequence of operations of that key the search
 *                       managed to linearize, in linearization order (the counterexample's shape)
 * @param stuck          for a failure: operations that were candidates right after that prefix and
 *                       none of which fits the model state reached by it
 * @param keysChecked    how many per-key partitions were fully checked
 * @param elapsed        wall time spent
 */
public record LinearizabilityResult(
    Verdict verdict,
    String failedKey,
    List<RegisterOp> longestPrefix,
    List<RegisterOp> stuck,
    int keysChecked,
    Duration elapsed) {

  /** Outcome of a check. */
  public enum Verdict { LINEARIZABLE, NOT_LINEARIZABLE, TIMEOUT }

  /** True only for a proven-linearizable history; a timeout is not a pass. */
  public boolean ok() {
    return verdict == Verdict.LINEARIZABLE;
  }

  /** A human-readable explanation, short enough for an assertion message. */
  public String describe() {
    if (ok()) {
      return "linearizable (" + keysChecked + " keys, " + elapsed.toMillis() + " ms)";
    }
    StringBuilder sb = new StringBuilder();
    sb.append(verdict).append(" on key ").append(failedKey).append(" after ")
        .append(elapsed.toMillis()).append(" ms");
    if (verdict == Verdict.NOT_LINEARIZABLE) {
      int from = Math.max(0, longestPrefix.size() - 10);
      sb.append("\n  longest linearizable prefix (").append(longestPrefix.size())
          .append(" ops, last ").append(longestPrefix.size() - from).append("):");
      for (RegisterOp op : longestPrefix.subList(from, longestPrefix.size())) {
        sb.append("\n    ").append(op);
      }
      sb.append("\n  none of these can come next:");
      for (RegisterOp op : stuck.subList(0, Math.min(stuck.size(), 10))) {
        sb.append("\n    ").append(op);
      }
    }
    return sb.toString();
  }
}
