package io.graft.raft.api;

import java.util.Set;

/**
 * A committed (or, while one is in flight, the latest appended) cluster configuration.
 *
 * @param index log index of the entry that carries this configuration (0 for the initial one)
 * @param voters members whose votes count for elections and commitment
 * @param learners members that receive the log but do not vote (being caught up)
 * @param epoch the cluster incarnation: {@link #FOUNDING_EPOCH} from the founders on, a new
 *     random value after {@link RaftNode#forceNewCluster()}; {@link #NO_EPOCH} for a member that
 *     has not received any configuration yet
 */
public record Membership(long index, Set<MemberId> voters, Set<MemberId> learners, long epoch) {
  /** A member that knows no configuration yet (a new member waiting to be added). */
  public static final long NO_EPOCH = 0;
  /** The founders' configuration and every ordinary change after it. */
  public static final long FOUNDING_EPOCH = 1;

  public Membership {
    voters = Set.copyOf(voters);
    learners = Set.copyOf(learners);
  }

  /** A membership of the founding epoch (no epoch if there are no voters). */
  public Membership(long index, Set<MemberId> voters, Set<MemberId> learners) {
    this(index, voters, learners, voters.isEmpty() ? NO_EPOCH : FOUNDING_EPOCH);
  }

  public boolean contains(MemberId member) {
    return voters.contains(member) || learners.contains(member);
  }
}
