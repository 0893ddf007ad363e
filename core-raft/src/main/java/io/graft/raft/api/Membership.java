package io.graft.raft.api;

import java.util.Set;

/**
 * A committed (or, while one is in flight, the latest appended) cluster configuration.
 *
 * @param index log index of the entry that carries this configuration (0 for the initial one)
 * @param voters members whose votes count for elections and commitment
 * @param learners members that receive the log but do not vote (being caught up)
 */
public record Membership(long index, Set<MemberId> voters, Set<MemberId> learners) {
  public Membership {
    voters = Set.copyOf(voters);
    learners = Set.copyOf(learners);
  }

  public boolean contains(MemberId member) {
    return voters.contains(member) || learners.contains(member);
  }
}
