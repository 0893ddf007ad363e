package io.graft.it.check;

import java.util.List;
import java.util.Objects;

/**
 * An independent, exponential reference for small histories: tries every order of the operations
 * that respects real time, with its own copy of the register semantics, letting each pending
 * operation either take effect (anywhere after its invocation) or not at all. Used only to
 * cross-check {@link LinearizabilityChecker} on histories of up to about ten operations.
 */
final class BruteForceOracle {

  private BruteForceOracle() {
  }

  static boolean linearizable(List<RegisterOp> history) {
    List<RegisterOp> ops = history.stream()
        .filter(op -> !(op.kind() == RegisterOp.Kind.READ && op.pending())).toList();
    return search(ops, new boolean[ops.size()], null);
  }

  private static boolean search(List<RegisterOp> ops, boolean[] placed, Long state) {
    boolean allDone = true;
    for (int i = 0; i < ops.size(); i++) {
      if (!placed[i] && !ops.get(i).pending()) {
        allDone = false;
      }
    }
    if (allDone) {
      return true; // unplaced pending operations simply never took effect
    }
    for (int i = 0; i < ops.size(); i++) {
      if (placed[i] || !mayGoNext(ops, placed, ops.get(i))) {
        continue;
      }
      RegisterOp op = ops.get(i);
      boolean legal;
      Long after = state;
      boolean matches = Objects.equals(state, op.value());
      if (op.kind() == RegisterOp.Kind.READ) {
        legal = matches;
      } else if (op.kind() == RegisterOp.Kind.WRITE) {
        legal = true;
        after = op.value();
      } else if (op.pending()) {
        legal = true;
        after = matches ? op.newValue() : state;
      } else {
        legal = matches == op.casOk();
        after = op.casOk() ? op.newValue() : state;
      }
      if (legal) {
        placed[i] = true;
        boolean found = search(ops, placed, after);
        placed[i] = false;
        if (found) {
          return true;
        }
      }
    }
    return false;
  }

  /** {@code op} may be next unless some unplaced operation returned strictly before it began. */
  private static boolean mayGoNext(List<RegisterOp> ops, boolean[] placed, RegisterOp op) {
    for (int j = 0; j < ops.size(); j++) {
      if (!placed[j] && ops.get(j).returnNanos() < op.invokeNanos()) {
        return false;
      }
    }
    return true;
  }
}
