package io.graft.raft.message;

import io.graft.raft.api.MemberId;
import java.util.Objects;

/** A message addressed to one member; the unit the protocol emits and the transport carries. */
public record Envelope(MemberId to, RaftMessage message) {
  public Envelope {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(message, "message");
  }
}
