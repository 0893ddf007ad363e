package io.graft.it.check;

import java.util.Objects;

/**
 * The sequential specification of one register (read / write / compare-and-set). Given the state
 * before an operation, says whether the operation's observed result is possible and what the state
 * is afterwards. A pending operation has no observed result, so it is always possible: a pending
 * write installs its value; a pending CAS swaps iff the state equals its expected value (if the
 * real CAS never ran, the checker can place it after every completed operation, where its effect
 * is invisible).
 */
final class RegisterModel {

  /** Marker for "the operation cannot be linearized in this state". */
  static final Object ILLEGAL = new Object();

  private RegisterModel() {
  }

  /** Returns the next state ({@code null} = absent), or {@link #ILLEGAL}. */
  static Object step(Long state, RegisterOp op) {
    switch (op.kind()) {
      case READ:
        return Objects.equals(state, op.value()) ? state : ILLEGAL;
      case WRITE:
        return op.value();
      case CAS:
        boolean matches = Objects.equals(state, op.value());
        if (op.pending()) {
          return matches ? op.newValue() : state;
        }
        if (op.casOk()) {
          return matches ? op.newValue() : ILLEGAL;
        }
        return matches ? ILLEGAL : state;
      default:
        throw new IllegalStateException("unknown kind " + op.kind());
    }
  }
}
