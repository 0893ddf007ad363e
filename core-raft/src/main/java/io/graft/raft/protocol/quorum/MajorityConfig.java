package io.graft.raft.protocol.quorum;

import io.graft.raft.api.MemberId;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * A simple majority of a set of voters (§5.2, §5.3). Pure functions only: the commit index a
 * majority has reached, the result of a vote tally, and whether a quorum was recently active. An
 * empty voter set (a joining member that has not received a configuration yet) never wins a vote,
 * never commits and is never active.
 */
public final class MajorityConfig {
  private final List<MemberId> voters;

  public MajorityConfig(Set<MemberId> voters) {
    this.voters = voters.stream().sorted().toList();
  }

  public List<MemberId> voters() {
    return voters;
  }

  public boolean contains(MemberId id) {
    return voters.contains(id);
  }

  /** Number of voters that form a majority: n/2 + 1. */
  public int quorum() {
    return voters.size() / 2 + 1;
  }

  /**
   * The largest index replicated on a majority (§5.3): sort the match indexes and take the one that
   * a quorum of voters has reached, counting from the highest.
   */
  public long committedIndex(ToLongFunction<MemberId> matchIndex) {
    if (voters.isEmpty()) {
      return 0;
    }
    long[] matches = new long[voters.size()];
    for (int i = 0; i < matches.length; i++) {
      matches[i] = matchIndex.applyAsLong(voters.get(i));
    }
    Arrays.sort(matches);
    return matches[matches.length - quorum()];
  }

  /**
   * Tallies votes (§5.2). Only voters count; each voter is present at most once in the map, so a
   * duplicated response can never count twice.
   */
  public VoteResult voteResult(Map<MemberId, Boolean> votes) {
    if (voters.isEmpty()) {
      return VoteResult.LOST;
    }
    int granted = 0;
    int missing = 0;
    for (MemberId voter : voters) {
      Boolean vote = votes.get(voter);
      if (vote == null) {
        missing++;
      } else if (vote) {
        granted++;
      }
    }
    if (granted >= quorum()) {
      return VoteResult.WON;
    }
    return granted + missing >= quorum() ? VoteResult.PENDING : VoteResult.LOST;
  }

  /** True when a quorum of voters satisfies {@code active} (CheckQuorum, thesis §6.2). */
  public boolean isQuorumActive(Predicate<MemberId> active) {
    return !voters.isEmpty() && voters.stream().filter(active).count() >= quorum();
  }
}
