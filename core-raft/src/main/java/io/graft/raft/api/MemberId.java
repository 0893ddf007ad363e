package io.graft.raft.api;

import java.util.Objects;

/**
 * Identity of one Raft member. Opaque, stable for the member's whole life (it survives restarts and
 * address changes) and never reused. Compared by value.
 */
public record MemberId(String value) implements Comparable<MemberId> {
  public MemberId {
    Objects.requireNonNull(value, "value");
    if (value.isBlank() || value.length() > 255) {
      throw new IllegalArgumentException("member id must be 1..255 non-blank characters: '" + value + "'");
    }
  }

  public static MemberId of(String value) {
    return new MemberId(value);
  }

  @Override
  public int compareTo(MemberId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
