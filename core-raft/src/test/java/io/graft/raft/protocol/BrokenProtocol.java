package io.graft.raft.protocol;

/**
 * Test-only switch for the deliberately broken protocol variants of the mutation proof ({@link
 * Mutation}, package-private in production code): the simulation in {@code io.graft.raft.sim}
 * turns one on in every machine it starts and must then report a violated invariant.
 */
public final class BrokenProtocol {
  /** The variants the protocol itself can be broken in (see {@link Mutation} for each rule). */
  public enum Variant {
    VOTE_WITHOUT_LOG_CHECK(Mutation.VOTE_WITHOUT_LOG_CHECK),
    COMMIT_EARLIER_TERM_BY_COUNT(Mutation.COMMIT_EARLIER_TERM_BY_COUNT),
    ACK_BEFORE_DURABLE(Mutation.ACK_BEFORE_DURABLE),
    TRUNCATE_ON_EVERY_APPEND(Mutation.TRUNCATE_ON_EVERY_APPEND),
    APPLY_BEFORE_COMMIT(Mutation.APPLY_BEFORE_COMMIT),
    /** Not a safety rule: for the disruption check, not for the safety mutation proof. */
    IGNORE_LEADER_LEASE(Mutation.IGNORE_LEADER_LEASE);

    private final Mutation mutation;

    Variant(Mutation mutation) {
      this.mutation = mutation;
    }
  }

  private BrokenProtocol() {}

  /** Breaks {@code machine} in the way {@code variant} describes, from its next input on. */
  public static void enable(RaftMachine machine, Variant variant) {
    machine.mutation = variant.mutation;
  }
}
