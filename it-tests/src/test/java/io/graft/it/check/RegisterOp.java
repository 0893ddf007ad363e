package io.graft.it.check;

import java.util.Objects;

/**
 * One client operation on a named register, as observed by the client: what it asked for, what it
 * got back, and the interval [invokeNanos, returnNanos] in which it took effect, if it did.
 *
 * <p>A register holds a {@code Long}; {@code null} is "never written" (the node does not exist).
 * An operation whose outcome is unknown (timeout, connection lost during commit, leader killed)
 * is {@linkplain #pending() pending}: it may have taken effect at any instant after its invocation,
 * or never, exactly as Knossos/Porcupine treat an "info" operation (Jepsen's model of an
 * indeterminate client call). Its {@code returnNanos} is {@link Long#MAX_VALUE}.
 *
 * @param process  the client (or client incarnation) that issued the operation
 * @param key      the register; histories are checked per key (P-compositionality of
 *                 linearizability, Herlihy &amp; Wing 1990 §3.3)
 * @param kind     read, write or compare-and-set
 * @param value    written value (WRITE), expected value (CAS), observed value (READ, ok only)
 * @param newValue the value a CAS installs; unused otherwise
 * @param casOk    for a completed CAS: whether it swapped
 */
public record RegisterOp(
    int process,
    String key,
    Kind kind,
    Long value,
    Long newValue,
    boolean casOk,
    long invokeNanos,
    long returnNanos) {

  /** Operation kinds of the single-register model. */
  public enum Kind { READ, WRITE, CAS }

  public RegisterOp {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(kind, "kind");
    if (returnNanos < invokeNanos) {
      throw new IllegalArgumentException("returns before it is invoked: " + invokeNanos + " > "
          + returnNanos);
    }
  }

  /** A completed read that observed {@code observed} ({@code null}: register absent). */
  public static RegisterOp read(int process, String key, Long observed, long inv, long ret) {
    return new RegisterOp(process, key, Kind.READ, observed, null, false, inv, ret);
  }

  /** An acknowledged write. */
  public static RegisterOp write(int process, String key, long value, long inv, long ret) {
    return new RegisterOp(process, key, Kind.WRITE, value, null, false, inv, ret);
  }

  /** A completed compare-and-set; {@code swapped} is what the client was told. */
  public static RegisterOp cas(int process, String key, Long expected, long next, boolean swapped,
      long inv, long ret) {
    return new RegisterOp(process, key, Kind.CAS, expected, next, swapped, inv, ret);
  }

  /** A write whose outcome is unknown. */
  public static RegisterOp pendingWrite(int process, String key, long value, long inv) {
    return new RegisterOp(process, key, Kind.WRITE, value, null, false, inv, Long.MAX_VALUE);
  }

  /** A compare-and-set whose outcome is unknown. */
  public static RegisterOp pendingCas(int process, String key, Long expected, long next,
      long inv) {
    return new RegisterOp(process, key, Kind.CAS, expected, next, false, inv, Long.MAX_VALUE);
  }

  public boolean pending() {
    return returnNanos == Long.MAX_VALUE;
  }

  @Override
  public String toString() {
    String what;
    if (kind == Kind.READ) {
      what = "read -> " + value;
    } else if (kind == Kind.WRITE) {
      what = "write " + value;
    } else {
      what = "cas " + value + "->" + newValue + (pending() ? "" : (casOk ? " ok" : " fail"));
    }
    String end = pending() ? "pending" : Long.toString(returnNanos);
    return "p" + process + " " + key + " " + what + " [" + invokeNanos + ", " + end + "]";
  }
}
