package io.graft.raft.message;

import io.graft.raft.api.MemberId;
import java.util.Objects;

/**
 * A membership change or leadership transfer that a follower forwards to the leader it believes
 * in (not part of the Raft protocol: the receiving runtime handles it as a local call and answers
 * with a {@link ChangeResponse} carrying the same {@code requestId}). Term rules do not apply.
 */
public record ChangeRequest(
    MemberId from, long term, long requestId, Operation operation, MemberId target)
    implements RaftMessage {

  /** What is asked. The codes are the wire format: never reorder, never reuse. */
  public enum Operation {
    ADD_MEMBER(1),
    REMOVE_MEMBER(2),
    TRANSFER_LEADERSHIP(3);

    private final int code;

    Operation(int code) {
      this.code = code;
    }

    public int code() {
      return code;
    }

    public static Operation ofCode(int code) {
      for (Operation o : values()) {
        if (o.code == code) {
          return o;
        }
      }
      throw new IllegalArgumentException("unknown change operation code " + code);
    }
  }

  public ChangeRequest {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(target, "target");
  }

  @Override
  public <R> R accept(Handler<R> handler) {
    return handler.onChangeRequest(this);
  }
}
