package io.graft.raft.protocol;

/**
 * Always-on assertions (STYLE.md §3.7): a broken invariant is a programmer error, so the node must
 * crash rather than continue with corrupt state. Never use the JVM {@code assert} keyword, which is
 * off by default.
 */
public final class Invariants {
  private Invariants() {}

  /** Throws {@link AssertionError} with the formatted message when {@code condition} is false. */
  public static void check(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new AssertionError("Raft invariant violated: " + String.format(format, args));
    }
  }
}
