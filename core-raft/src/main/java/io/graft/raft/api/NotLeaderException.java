package io.graft.raft.api;

import java.util.Optional;

/** This member is not the leader; {@link #leaderHint()} names the leader it believes in, if any. */
public class NotLeaderException extends RaftException {
  private final MemberId leaderHint;

  public NotLeaderException(MemberId self, MemberId leaderHint) {
    super(
        "member "
            + self
            + " is not the leader"
            + (leaderHint == null ? " and knows no leader (election in progress?)" : "; leader is " + leaderHint));
    this.leaderHint = leaderHint;
  }

  public Optional<MemberId> leaderHint() {
    return Optional.ofNullable(leaderHint);
  }
}
