package io.graft.raft.runtime;

import static org.awaitility.Awaitility.await;

import io.graft.raft.api.CommitResult;
import io.graft.raft.api.Membership;
import io.graft.raft.api.MembershipChangeException;
import io.graft.raft.api.MembershipChangeException.Reason;
import io.graft.raft.api.NotLeaderException;
import io.graft.raft.api.ProposalDroppedException;
import io.graft.raft.api.RaftStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What a legitimate re-election may change in a runtime test. Raft lets a leader lose its term at
 * any time, and on a loaded machine it does: a starved owner thread misses its heartbeats for an
 * election timeout, CheckQuorum deposes a leader whose followers were not scheduled. Two tools for
 * two kinds of test:
 *
 * <ul>
 *   <li>A property that does not depend on who leads (identical logs, nothing applied twice, a
 *       reset member refused) is driven the way a client drives a cluster: {@link #commit}
 *       proposes through whoever leads now and proposes again after NotLeader or "outcome
 *       unknown" (at least once: compare logs with each other, not with a count of proposals).
 *   <li>A property of one leader's term (its metrics, its refusals during a transfer, its apply
 *       backlog, its changes) is checked by {@link #inOneTerm}: an attempt that fails after its
 *       leader lost the term it had when the attempt watched it is void and is run again, at
 *       most {@link #ATTEMPTS} times; a failure while the term held fails the test at once, and
 *       so does a run of void attempts. A broken implementation fails its undisturbed attempts.
 * </ul>
 */
final class Reelections {
  /** Attempts of one term-bound experiment before a run of re-elections fails the test. */
  static final int ATTEMPTS = 5;

  private static final Duration COMMIT_WAIT = Duration.ofSeconds(60);

  private Reelections() {}

  /** True for the outcomes a re-election gives a proposal: refused by a non-leader, or dropped. */
  static boolean reelection(Throwable failure) {
    Throwable cause = failure instanceof ExecutionException e ? e.getCause() : failure;
    return cause instanceof NotLeaderException
        || cause instanceof ProposalDroppedException
        || (cause instanceof MembershipChangeException m
            && (m.reason() == Reason.NOT_LEADER || m.reason() == Reason.TIMED_OUT));
  }

  /**
   * Commits {@code payload} through whoever {@code leader} names now, proposing it again after a
   * re-election outcome (so it may be committed more than once); fails on any other outcome or
   * when nothing commits within a minute.
   */
  static CommitResult commit(Supplier<RaftNodeRunner> leader, byte[] payload) {
    AtomicReference<CommitResult> committed = new AtomicReference<>();
    await("commit through whoever leads").atMost(COMMIT_WAIT).pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(20)).until(() -> {
          RaftNodeRunner l = leader.get();
          if (l == null) {
            return false;
          }
          try {
            committed.set(l.propose(payload).get(30, TimeUnit.SECONDS));
            return true;
          } catch (ExecutionException e) {
            if (reelection(e)) {
              return false;
            }
            throw e;
          }
        });
    return committed.get();
  }

  /**
   * Runs a membership change through whoever {@code leader} names now until the leader's
   * configuration shows it {@code done}: after a re-election outcome (NOT_LEADER, TIMED_OUT, or
   * CHANGE_IN_PROGRESS while the new leader finishes what the old one started) it asks again;
   * fails on any other outcome or after a minute.
   */
  static Membership change(Supplier<RaftNodeRunner> leader,
      Function<RaftNodeRunner, CompletableFuture<Membership>> change,
      Predicate<Membership> done) {
    AtomicReference<Membership> result = new AtomicReference<>();
    await("membership change through whoever leads").atMost(COMMIT_WAIT)
        .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20)).until(() -> {
          RaftNodeRunner l = leader.get();
          if (l == null) {
            return false;
          }
          if (l.status().isLeader() && done.test(l.membership())) {
            result.set(l.membership());
            return true;
          }
          try {
            result.set(change.apply(l).get(30, TimeUnit.SECONDS));
            return true;
          } catch (ExecutionException e) {
            if (reelection(e) || (e.getCause() instanceof MembershipChangeException m
                && m.reason() == Reason.CHANGE_IN_PROGRESS)) {
              return false;
            }
            throw e;
          }
        });
    return result.get();
  }

  /** One attempt of a term-bound experiment; {@link Term#watch} names the leader it relies on. */
  interface Attempt<T> {
    T run(Term term) throws Exception;
  }

  /** The leader an attempt relies on and the term it led when watched. */
  static final class Term {
    private RaftNodeRunner leader;
    private long term = -1;
    private String voided;
    private boolean counts;

    /** Returns {@code leader} after noting its current term (it must lead now). */
    RaftNodeRunner watch(RaftNodeRunner leader) {
      RaftStatus s = leader.status();
      this.leader = leader;
      this.counts = false;
      this.term = s.isLeader() ? s.term() : -1; // not leading any more: the attempt is void
      return leader;
    }

    /**
     * Ends the attempt as void: the test saw its premise fail (e.g. a leader it isolated on
     * purpose stepped down before taking the proposals the test needs it to hold).
     */
    void voidAttempt(String why) {
      voided = why;
      throw new IllegalStateException("void attempt: " + why);
    }

    /**
     * The watched leader did what the attempt needed it for (a transfer or a removal of itself
     * that ends its term on purpose): from here until the next {@link #watch}, a failure counts
     * whatever the leader does.
     */
    void premiseMet() {
      counts = true;
    }

    /** True while the watched leader still leads in the term it had when watched. */
    boolean held() {
      if (voided != null) {
        return false;
      }
      if (leader == null || counts) {
        return true;
      }
      RaftStatus s = leader.status();
      return s.isLeader() && s.term() == term;
    }

    @Override
    public String toString() {
      if (voided != null) {
        return voided;
      }
      if (leader == null) {
        return "no leader watched";
      }
      RaftStatus s = leader.status();
      return leader.self() + " led term " + term + ", now " + s.role() + " in term " + s.term();
    }
  }

  /**
   * Runs {@code attempt} until one passes; an attempt that fails after its watched leader lost
   * its term is void and runs again (each attempt builds and closes its own cluster), at most
   * {@link #ATTEMPTS} times. A failure while the term held is rethrown as is.
   */
  static <T> T inOneTerm(String what, Attempt<T> attempt) throws Exception {
    List<Throwable> voided = new ArrayList<>();
    for (int i = 1; i <= ATTEMPTS; i++) {
      Term term = new Term();
      try {
        return attempt.run(term);
      } catch (Exception | AssertionError failure) {
        if (term.held()) {
          voided.forEach(failure::addSuppressed);
          throw failure;
        }
        System.out.printf("[reelection] %s: attempt %d of %d void, %s: %s%n", what, i, ATTEMPTS,
            term, failure);
        voided.add(failure);
      }
    }
    AssertionError all = new AssertionError(what + ": the leader lost its term in each of "
        + ATTEMPTS + " attempts (a re-election storm, or a bug that deposes leaders)");
    voided.forEach(all::addSuppressed);
    throw all;
  }
}
