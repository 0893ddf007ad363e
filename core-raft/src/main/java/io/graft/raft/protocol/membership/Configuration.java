package io.graft.raft.protocol.membership;

import io.graft.raft.api.MemberId;
import io.graft.raft.protocol.quorum.MajorityConfig;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * The cluster membership as the protocol sees it (thesis §4). Today only a fixed set of voters
 * built from {@code initialVoters}; learners are reserved (always empty) so that single-server
 * changes (thesis §4.1) carried by CONFIGURATION entries can be added without changing callers.
 */
public record Configuration(Set<MemberId> voters, Set<MemberId> learners) {
  public Configuration {
    // Sorted and unmodifiable: iteration order must be deterministic (Set.copyOf is salted per JVM,
    // which would make seeded simulations irreproducible).
    voters = Collections.unmodifiableSortedSet(new TreeSet<>(voters));
    learners = Collections.unmodifiableSortedSet(new TreeSet<>(learners));
    if (voters.isEmpty()) {
      throw new IllegalArgumentException("a configuration needs at least one voter");
    }
    for (MemberId learner : learners) {
      if (voters.contains(learner)) {
        throw new IllegalArgumentException(learner + " cannot be both voter and learner");
      }
    }
  }

  public static Configuration ofVoters(Set<MemberId> voters) {
    return new Configuration(voters, Set.of());
  }

  public boolean isVoter(MemberId id) {
    return voters.contains(id);
  }

  public MajorityConfig majority() {
    return new MajorityConfig(voters);
  }
}
