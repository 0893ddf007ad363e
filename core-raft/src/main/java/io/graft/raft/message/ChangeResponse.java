package io.graft.raft.message;

import io.graft.raft.api.MemberId;
import java.util.List;
import java.util.Objects;

/**
 * The leader's answer to a forwarded {@link ChangeRequest}: success with the committed
 * configuration (add/remove) or the new leader (transfer), or the failure reason.
 *
 * @param error empty on success, else the name of a {@code MembershipChangeException.Reason}
 *     (names are the user's contract, so they are stable on the wire too)
 * @param detail the failure message, empty on success
 * @param leader the new leader (transfer) or the leader hint (NOT_LEADER); null if none
 * @param configIndex index of the configuration entry (add/remove), else 0
 */
public record ChangeResponse(
    MemberId from,
    long term,
    long requestId,
    String error,
    String detail,
    MemberId leader,
    long configIndex,
    List<MemberId> voters,
    List<MemberId> learners)
    implements RaftMessage {

  public ChangeResponse {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(detail, "detail");
    voters = List.copyOf(voters);
    learners = List.copyOf(learners);
  }

  public boolean succeeded() {
    return error.isEmpty();
  }

  @Override
  public <R> R accept(Handler<R> handler) {
    return handler.onChangeResponse(this);
  }
}
