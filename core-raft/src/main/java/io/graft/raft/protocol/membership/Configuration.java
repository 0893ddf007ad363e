package io.graft.raft.protocol.membership;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Membership;
import io.graft.raft.protocol.quorum.MajorityConfig;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * The cluster membership as the protocol sees it (thesis §4): voters, whose votes count for
 * elections and commitment, and learners, which receive the log but never vote nor campaign
 * (thesis §4.2.1, catching up before promotion). Carried by CONFIGURATION entries (see {@link
 * ConfigurationCodec}); a member uses the latest one in its log, committed or not (thesis §4.1).
 *
 * <p>The voter set is empty only for a member that joins an existing cluster and has not yet
 * received any configuration entry ({@link #EMPTY}): such a member can never campaign.
 *
 * <p>{@code epoch} names the incarnation of the cluster the configuration belongs to: every
 * configuration descends from the founders' with {@link Membership#FOUNDING_EPOCH} and keeps it
 * through ordinary changes; {@code raft.forceNewCluster()} (a survivor that lost its majority
 * making itself the only voter, like etcd's {@code --force-new-cluster}) starts a new random one.
 * Members of different epochs refuse each other's connections (the transport handshake), so the
 * old members that come back are never merged into the re-formed cluster. The empty
 * configuration has epoch {@link Membership#NO_EPOCH}.
 */
public record Configuration(Set<MemberId> voters, Set<MemberId> learners, long epoch) {
  /** The configuration of a joining member before the leader's log reaches it. */
  public static final Configuration EMPTY = new Configuration(Set.of(), Set.of());

  /** A configuration of the founding epoch (every configuration until a forced re-formation). */
  public Configuration(Set<MemberId> voters, Set<MemberId> learners) {
    this(voters, learners, voters.isEmpty() ? Membership.NO_EPOCH : Membership.FOUNDING_EPOCH);
  }

  public Configuration {
    // Sorted and unmodifiable: iteration order must be deterministic (Set.copyOf is salted per JVM,
    // which would make seeded simulations irreproducible).
    voters = Collections.unmodifiableSortedSet(new TreeSet<>(voters));
    learners = Collections.unmodifiableSortedSet(new TreeSet<>(learners));
    for (MemberId learner : learners) {
      if (voters.contains(learner)) {
        throw new IllegalArgumentException(learner + " cannot be both voter and learner");
      }
    }
    if (voters.isEmpty() && !learners.isEmpty()) {
      throw new IllegalArgumentException("learners " + learners + " without any voter");
    }
    if ((epoch == Membership.NO_EPOCH) != voters.isEmpty()) {
      throw new IllegalArgumentException("epoch " + epoch + " with voters " + voters
          + " (epoch 0 is the empty configuration's only)");
    }
  }

  /**
   * The configuration a survivor forces on itself after losing its majority: {@code self} as the
   * only voter, in the new cluster incarnation {@code epoch}.
   */
  public static Configuration forced(MemberId self, long epoch) {
    if (epoch == Membership.NO_EPOCH || epoch == Membership.FOUNDING_EPOCH) {
      throw new IllegalArgumentException("a forced configuration needs a fresh epoch: " + epoch);
    }
    return new Configuration(Set.of(self), Set.of(), epoch);
  }

  public static Configuration ofVoters(Set<MemberId> voters) {
    return new Configuration(voters, Set.of());
  }

  public boolean isVoter(MemberId id) {
    return voters.contains(id);
  }

  public boolean isLearner(MemberId id) {
    return learners.contains(id);
  }

  public boolean isMember(MemberId id) {
    return voters.contains(id) || learners.contains(id);
  }

  public boolean isEmpty() {
    return voters.isEmpty();
  }

  /** Every member, voters first then learners, each group sorted. */
  public Set<MemberId> members() {
    Set<MemberId> all = new TreeSet<>(voters);
    all.addAll(learners);
    return Collections.unmodifiableSet(all);
  }

  /** This configuration plus {@code id} as a learner (§4.2.1: join without a vote first). */
  public Configuration withLearner(MemberId id) {
    Set<MemberId> next = new TreeSet<>(learners);
    next.add(id);
    return new Configuration(voters, next, epoch);
  }

  /** This configuration with learner {@code id} made a voter (the second entry of an add). */
  public Configuration promote(MemberId id) {
    if (!learners.contains(id)) {
      throw new IllegalArgumentException(id + " is not a learner of " + this);
    }
    Set<MemberId> nextLearners = new TreeSet<>(learners);
    nextLearners.remove(id);
    Set<MemberId> nextVoters = new TreeSet<>(voters);
    nextVoters.add(id);
    return new Configuration(nextVoters, nextLearners, epoch);
  }

  /** This configuration without {@code id} (voter or learner). */
  public Configuration without(MemberId id) {
    Set<MemberId> nextVoters = new TreeSet<>(voters);
    nextVoters.remove(id);
    Set<MemberId> nextLearners = new TreeSet<>(learners);
    nextLearners.remove(id);
    return new Configuration(nextVoters, nextLearners,
        nextVoters.isEmpty() ? Membership.NO_EPOCH : epoch);
  }

  public MajorityConfig majority() {
    return new MajorityConfig(voters);
  }

  @Override
  public String toString() {
    return "voters " + voters + (learners.isEmpty() ? "" : " learners " + learners)
        + (epoch == Membership.FOUNDING_EPOCH || epoch == Membership.NO_EPOCH ? ""
            : " epoch " + Long.toHexString(epoch));
  }
}
