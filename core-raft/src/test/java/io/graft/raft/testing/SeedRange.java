package io.graft.raft.testing;

import java.security.SecureRandom;

/**
 * The seeds a randomized test runs: {@code -D<prefix>.seed=S} replays one; otherwise {@code count}
 * seeds from a base that is random in every run (so each run explores new seeds), printed once
 * with the property that pins it, {@code -D<prefix>.seedBase=B}.
 */
public record SeedRange(long first, long count) {
  public long end() {
    return first + count;
  }

  /** Seeds for the test that prints itself as {@code what}; see the class comment. */
  public static SeedRange of(String prefix, long defaultCount, String what) {
    Long single = Long.getLong(prefix + ".seed");
    if (single != null) {
      return new SeedRange(single, 1);
    }
    return new SeedRange(base(prefix, what), defaultCount);
  }

  /** A random base, or the pinned {@code -D<prefix>.seedBase}; printed with how to pin it. */
  public static long base(String prefix, String what) {
    Long pinned = Long.getLong(prefix + ".seedBase");
    long base = pinned != null ? pinned : new SecureRandom().nextLong(1_000_000_000L);
    System.out.println(what + " seeds start at base " + base
        + (pinned != null ? " (pinned)" : " (random)") + "; rerun the same seeds with -D" + prefix
        + ".seedBase=" + base);
    return base;
  }
}
