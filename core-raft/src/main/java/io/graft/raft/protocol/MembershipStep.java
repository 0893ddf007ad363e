package io.graft.raft.protocol;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Membership;
import io.graft.raft.api.MembershipChangeException;
import io.graft.raft.api.MembershipChangeException.Reason;
import io.graft.raft.api.Role;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.LogEntry;
import io.graft.raft.message.TimeoutNow;
import io.graft.raft.protocol.membership.CatchUpRounds;
import io.graft.raft.protocol.membership.ChangeOutcome;
import io.graft.raft.protocol.membership.Configuration;
import io.graft.raft.protocol.membership.ConfigurationCodec;
import io.graft.raft.protocol.progress.Progress;
import io.graft.raft.protocol.progress.ProgressState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Single-server membership changes on the leader (thesis §4.1), one at a time:
 *
 * <ul>
 *   <li>add: a CONFIGURATION entry with the new server as a learner, catch-up rounds (§4.2.1, see
 *       {@link CatchUpRounds}), then a second entry promoting it; the change is done when the
 *       promotion commits. A learner that does not catch up is removed again by a third entry, so
 *       an unreachable server never blocks the cluster.
 *   <li>remove: one entry without the server; the leader itself may be removed (§4.2.2): it keeps
 *       leading without counting itself until the entry commits, then steps down and hands over
 *       with TimeoutNow.
 * </ul>
 *
 * <p>A change is refused while the latest configuration entry is uncommitted, while another change
 * (catch-up, clean-up) or a leadership transfer runs, and before the leader has committed an entry
 * of its own term (Ongaro's 2015 raft-dev correction of §4.1: commit the no-op first).
 */
final class MembershipStep {
  /** The phases of a change; each ends when {@code awaitIndex} commits (and more, see onCommit). */
  private enum Phase {
    /** Learner entry appended (or the member already was a learner); rounds running. */
    CATCHING_UP,
    /** Caught up; the promotion is appended once the learner entry has committed. */
    CAUGHT_UP,
    /** Gave up on the learner; its removal is appended once the learner entry has committed. */
    GAVE_UP,
    PROMOTING,
    REMOVING,
    CLEANING_UP
  }

  /** The change in flight. {@code awaitIndex}: the config entry whose commit ends this phase. */
  private static final class Pending {
    /** {@link #RESUMED} for a change this leader resumed on its own; a caller may adopt it. */
    long requestId;
    final String what;
    final MemberId target;
    Phase phase;
    long awaitIndex;
    CatchUpRounds catchUp;
    /** The caller was already told (failure); only the learner's clean-up remains. */
    boolean reported;

    Pending(long requestId, String what, MemberId target, Phase phase) {
      this.requestId = requestId;
      this.what = what;
      this.target = target;
      this.phase = phase;
    }
  }

  /** Request id of an interrupted add that a new leader resumes; nobody waits for its outcome. */
  static final long RESUMED = -1;

  private final RaftMachine m;
  private final List<ChangeOutcome> outcomes = new ArrayList<>();
  private Pending pending;
  /** What {@link #membership()} last built, and from which configuration instance. */
  private Membership published;
  private Configuration publishedFrom;

  MembershipStep(RaftMachine machine) {
    this.m = machine;
  }

  boolean inProgress() {
    return pending != null || m.configs.latestIndex() > m.log.commitIndex();
  }

  List<ChangeOutcome> takeOutcomes() {
    if (outcomes.isEmpty()) {
      return List.of();
    }
    List<ChangeOutcome> out = List.copyOf(outcomes);
    outcomes.clear();
    return out;
  }

  /**
   * The latest configuration as a {@link Membership}; the same instance while neither the
   * configuration nor its index changed (the owner publishes it after every batch).
   */
  Membership membership() {
    Configuration c = m.configuration;
    long index = m.configs.latestIndex();
    Membership last = published;
    if (last == null || publishedFrom != c || last.index() != index) {
      last = new Membership(index, c.voters(), c.learners(), c.epoch());
      published = last;
      publishedFrom = c;
    }
    return last;
  }

  void checkCanChange(String what) {
    checkLeader(what);
    checkNotBusy(what);
  }

  private void checkLeader(String what) {
    if (m.role != Role.LEADER) {
      throw new MembershipChangeException(
          Reason.NOT_LEADER, m.self + " is not the leader; cannot " + what, m.leader);
    }
  }

  /** A request that can never succeed is refused as such before "busy, retry later". */
  private void checkNotBusy(String what) {
    String busy = null;
    if (m.leadTransferee != null) {
      busy = "a leadership transfer to " + m.leadTransferee + " is running";
    } else if (pending != null) {
      busy =
          "the change "
              + pending.what
              + (pending.reported ? " is being cleaned up" : " has not finished");
    } else if (m.configs.latestIndex() > m.log.commitIndex()) {
      busy =
          "configuration entry "
              + m.configs.latestIndex()
              + " is not committed yet (commit "
              + m.log.commitIndex()
              + ")";
    } else if (m.log.term(m.log.commitIndex()) != m.term) {
      busy = "the leader has not committed an entry of term " + m.term + " yet (§4.1)";
    }
    if (busy != null) {
      throw new MembershipChangeException(
          Reason.CHANGE_IN_PROGRESS, "cannot " + what + ": " + busy + "; retry later");
    }
  }

  void addMember(long requestId, MemberId id) {
    Pending p = pending;
    if (p != null && p.requestId == RESUMED && !p.reported && p.target.equals(id)
        && m.role == Role.LEADER) {
      // The caller asks for the add this leader is already finishing: it waits for that one.
      p.requestId = requestId;
      return;
    }
    checkLeader("add " + id);
    if (m.configuration.isVoter(id)) {
      throw new MembershipChangeException(
          Reason.ALREADY_MEMBER, id + " is already a voter of " + m.configuration);
    }
    checkNotBusy("add " + id);
    startAdd(requestId, "add " + id, id);
  }

  private void startAdd(long requestId, String what, MemberId id) {
    pending = new Pending(requestId, what, id, Phase.CATCHING_UP);
    if (!m.configuration.isLearner(id)) {
      pending.awaitIndex = appendConfiguration(m.configuration.withLearner(id));
    }
    pending.catchUp =
        new CatchUpRounds(
            m.log.lastIndex(),
            m.tickCount,
            m.config.electionTimeoutTicks(),
            CatchUpRounds.ROUNDS_MAX,
            CatchUpRounds.STALL_ELECTION_TIMEOUTS * m.config.electionTimeoutTicks());
    observeCatchUp();
  }

  /**
   * A learner in the configuration with no change in flight was left by a leader that lost
   * leadership half-way through adding it (§4.2.1 catch-up never finished). This leader finishes
   * the add: catch-up rounds, then promotion, or removal of the learner if it does not catch up,
   * so an interrupted add never leaves a learner behind. Starts only when a change could start
   * (the leader committed an entry of its term, no configuration entry uncommitted, no transfer).
   */
  private void maybeResumeInterruptedAdd() {
    if (pending != null
        || m.role != Role.LEADER
        || m.configuration.learners().isEmpty()
        || m.leadTransferee != null
        || m.configs.latestIndex() > m.log.commitIndex()
        || m.log.term(m.log.commitIndex()) != m.term) {
      return;
    }
    MemberId learner = new TreeSet<>(m.configuration.learners()).first();
    startAdd(RESUMED, "add " + learner + " (resumed by " + m.self + ")", learner);
  }

  void removeMember(long requestId, MemberId id) {
    checkLeader("remove " + id);
    Configuration c = m.configuration;
    if (!c.isMember(id)) {
      throw new MembershipChangeException(
          Reason.UNKNOWN_MEMBER, id + " is not a member of " + c);
    }
    if (c.isVoter(id) && c.voters().size() == 1) {
      throw new MembershipChangeException(
          Reason.WOULD_BREAK_QUORUM, "cannot remove " + id + ": it is the last voter");
    }
    checkNotBusy("remove " + id);
    if (c.isVoter(id)) {
      checkRemainingVotersLive(id);
    }
    pending = new Pending(requestId, "remove " + id, id, Phase.REMOVING);
    pending.awaitIndex = appendConfiguration(c.without(id));
  }

  /**
   * Refuses a removal after which the remaining voters could not commit: none left, or fewer
   * than a majority of them heard from within the last election timeout (the leader counts as
   * live when it stays).
   */
  private void checkRemainingVotersLive(MemberId id) {
    Set<MemberId> remaining = new TreeSet<>(m.configuration.voters());
    remaining.remove(id);
    if (remaining.isEmpty()) {
      throw new MembershipChangeException(
          Reason.WOULD_BREAK_QUORUM, "cannot remove " + id + ": it is the last voter");
    }
    int live = 0;
    List<MemberId> silent = new ArrayList<>();
    for (MemberId v : remaining) {
      if (isLive(v)) {
        live++;
      } else {
        silent.add(v);
      }
    }
    int quorum = remaining.size() / 2 + 1;
    if (live < quorum) {
      throw new MembershipChangeException(
          Reason.WOULD_BREAK_QUORUM,
          String.format(
              "cannot remove %s: only %d of the remaining %d voters were heard from within an"
                  + " election timeout (need %d); silent: %s",
              id, live, remaining.size(), quorum, silent));
    }
  }

  private boolean isLive(MemberId id) {
    if (id.equals(m.self)) {
      return true;
    }
    Progress pr = m.progress.get(id);
    return pr != null
        && pr.lastContactTick() >= 0
        && m.tickCount - pr.lastContactTick() <= m.config.electionTimeoutTicks();
  }

  private long appendConfiguration(Configuration next) {
    long index = m.log.lastIndex() + 1;
    LogEntry entry =
        new LogEntry(m.term, index, EntryType.CONFIGURATION, ConfigurationCodec.encode(next));
    m.leaderStep().appendOwn(List.of(entry));
    return index;
  }

  /** Leader tick: the catch-up clock runs even while the learner is silent. */
  void tick() {
    if (pending != null && pending.catchUp != null) {
      observeCatchUp();
    } else if (pending == null) {
      maybeResumeInterruptedAdd();
    }
  }

  /** After a successful AppendEntries response from {@code from}. */
  void onProgress(MemberId from) {
    if (pending != null && pending.catchUp != null && from.equals(pending.target)) {
      observeCatchUp();
    }
  }

  private void observeCatchUp() {
    Progress pr = m.progress.get(pending.target);
    if (pr == null) {
      return; // the learner entry was not applied yet (cannot happen on the leader)
    }
    if (pr.state() == ProgressState.SNAPSHOT
        && pr.lastContactTick() >= m.tickCount - m.config.electionTimeoutTicks()) {
      // A new member behind the compacted log gets the snapshot first (§5.3): its match index
      // cannot move until the store copy is streamed and installed, which may take far longer
      // than the stall bound. While it is alive (answers heartbeats/chunks within an election
      // timeout) that is progress; a silent learner still stalls out (§4.2.1).
      pending.catchUp.progressed(m.tickCount);
    }
    CatchUpRounds.Verdict verdict =
        pending.catchUp.observe(
            pr.matchIndex(), pr.lastContactTick() >= 0, m.log.lastIndex(), m.tickCount);
    switch (verdict) {
      case CAUGHT_UP:
        pending.phase = Phase.CAUGHT_UP;
        pending.catchUp = null;
        onCommit();
        break;
      case NOT_CAUGHT_UP:
      case UNREACHABLE:
        giveUp(verdict, pr);
        break;
      default:
        break;
    }
  }

  private void giveUp(CatchUpRounds.Verdict verdict, Progress pr) {
    Reason reason =
        verdict == CatchUpRounds.Verdict.UNREACHABLE ? Reason.UNREACHABLE : Reason.NOT_CAUGHT_UP;
    String why =
        String.format(
            "%s did not catch up: %s, match %d of %d; it is being removed again (§4.2.1)",
            pending.target, pending.catchUp, pr.matchIndex(), m.log.lastIndex());
    outcomes.add(ChangeOutcome.failed(pending.requestId, new MembershipChangeException(reason, why)));
    pending.reported = true;
    pending.catchUp = null;
    pending.phase = Phase.GAVE_UP;
    onCommit();
  }

  /**
   * Leader, after the commit index moved (or a phase ended): starts the next phase of the change
   * whose entry committed, reports a finished change, and steps down if this leader was removed.
   */
  void onCommit() {
    Pending p = pending;
    if (p != null && p.awaitIndex <= m.log.commitIndex()) {
      switch (p.phase) {
        case CAUGHT_UP:
          p.phase = Phase.PROMOTING;
          p.awaitIndex = appendConfiguration(m.configuration.promote(p.target));
          break;
        case GAVE_UP:
          p.phase = Phase.CLEANING_UP;
          p.awaitIndex = appendConfiguration(m.configuration.without(p.target));
          break;
        case PROMOTING:
        case REMOVING:
          outcomes.add(ChangeOutcome.done(p.requestId, membership()));
          pending = null;
          break;
        case CLEANING_UP:
          pending = null;
          break;
        default:
          break; // CATCHING_UP: the rounds decide
      }
    }
    maybeStepDownIfRemoved();
    maybeResumeInterruptedAdd();
  }

  /**
   * §4.2.2: a leader that is not part of the committed configuration steps down; it first tells
   * the followers the new commit index and sends TimeoutNow to the most up-to-date voter, so the
   * cluster need not wait for an election timeout (§3.10). Not promotable, it never campaigns.
   */
  private void maybeStepDownIfRemoved() {
    if (m.role != Role.LEADER
        || m.configuration.isVoter(m.self)
        || m.configs.latestIndex() > m.log.commitIndex()) {
      return;
    }
    m.leaderStep().broadcastAppend();
    MemberId successor = null;
    long best = -1;
    for (MemberId v : m.configuration.voters()) {
      Progress pr = m.progress.get(v);
      if (pr != null && pr.matchIndex() > best) {
        best = pr.matchIndex();
        successor = v;
      }
    }
    if (successor != null && best == m.log.lastIndex()) {
      m.sendNow(successor, new TimeoutNow(m.self, m.term));
    }
    m.roles.becomeFollower(m.term, null);
  }

  /** Leadership was lost with a change in flight: its entry may or may not commit later. */
  void abort() {
    Pending p = pending;
    pending = null;
    if (p != null && !p.reported) {
      outcomes.add(
          ChangeOutcome.failed(
              p.requestId,
              new MembershipChangeException(
                  Reason.TIMED_OUT,
                  String.format(
                      "%s lost leadership in term %d before '%s' finished (phase %s); it may"
                          + " still take effect: check membership() on the new leader",
                      m.self, m.term, p.what, p.phase))));
    }
  }
}
