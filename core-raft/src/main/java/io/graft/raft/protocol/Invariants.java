package io.graft.raft.protocol;

/**
 * Always-on assertions (docs/STYLE.md §3.7): a broken invariant is a programmer error, so the node
 * must crash rather than continue with corrupt state. Never use the JVM {@code assert} keyword,
 * which is off by default.
 */
public final class Invariants {
  private Invariants() {}

  /** Throws {@link AssertionError} with the formatted message when {@code condition} is false. */
  public static void check(boolean condition, String format, Object... args) {
    if (!condition) {
      throw fail(format, args);
    }
  }

  /** As {@link #check(boolean, String, Object...)}, without boxing on the (hot) passing path. */
  public static void check(boolean condition, String format, long a, long b) {
    if (!condition) {
      throw fail(format, a, b);
    }
  }

  /** As {@link #check(boolean, String, Object...)}, without boxing on the (hot) passing path. */
  public static void check(boolean condition, String format, Object a, long b, long c) {
    if (!condition) {
      throw fail(format, a, b, c);
    }
  }

  /** As {@link #check(boolean, String, Object...)}, without boxing on the (hot) passing path. */
  public static void check(boolean condition, String format, long a, long b, long c, long d) {
    if (!condition) {
      throw fail(format, a, b, c, d);
    }
  }

  private static AssertionError fail(String format, Object... args) {
    return new AssertionError("Raft invariant violated: " + String.format(format, args));
  }
}
