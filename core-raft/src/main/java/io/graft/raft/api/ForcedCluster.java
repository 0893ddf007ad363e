package io.graft.raft.api;

import java.util.Set;

/**
 * The outcome of {@link RaftNode#forceNewCluster()}: {@code self} is now the only voter (and the
 * leader) of a new cluster incarnation {@code epoch}, whose configuration entry sits at {@code
 * configurationIndex} in {@code term} and has committed.
 *
 * <p>What may have been lost: entries up to {@code knownCommittedIndex} were known committed on
 * this member; entries {@code knownCommittedIndex + 1 .. lastLogIndex} were in its log without
 * being known committed (the lost majority may or may not have committed them, and a client may
 * or may not have seen an error): they are kept and now committed. Anything the lost members
 * committed after {@code lastLogIndex} never reached this member and is lost.
 *
 * @param previousVoters the voters of the configuration this member left
 * @param previousLearners its learners
 */
public record ForcedCluster(
    MemberId self,
    long term,
    long epoch,
    Set<MemberId> previousVoters,
    Set<MemberId> previousLearners,
    long knownCommittedIndex,
    long lastLogIndex,
    long configurationIndex) {

  public ForcedCluster {
    previousVoters = Set.copyOf(previousVoters);
    previousLearners = Set.copyOf(previousLearners);
  }

  /** Entries that were in the log but not known to be committed (now committed). */
  public long uncertainEntries() {
    return Math.max(0, lastLogIndex - knownCommittedIndex);
  }

  /** The loud, operator-facing summary of what happened and what may be lost. */
  public String describe() {
    String uncertain = uncertainEntries() == 0
        ? "every entry in its log (up to index " + lastLogIndex + ") was known committed"
        : "entries " + (knownCommittedIndex + 1) + ".." + lastLogIndex + " (" + uncertainEntries()
            + ") were in its log but NOT known to be committed: they are kept and now committed"
            + " (a client that saw a timeout or an error for one of them may find it applied)";
    return "graft: FORCED A NEW CLUSTER: " + self + " is now the only voter and the leader"
        + " (term " + term + ", cluster epoch " + Long.toHexString(epoch) + "), leaving "
        + previousVoters + (previousLearners.isEmpty() ? "" : " and learners " + previousLearners)
        + ". Entries up to index " + knownCommittedIndex + " were known committed; " + uncertain
        + ". Anything the lost members committed after index " + lastLogIndex + " never reached"
        + " this member and is LOST. The old members are refused if they come back: wipe each"
        + " one's data directory and add it with CALL raft.addMember('<address>')";
  }
}
