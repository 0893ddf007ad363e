package io.graft.raft.sim;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Role;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.LogEntry;
import io.graft.raft.protocol.HardState;
import io.graft.raft.protocol.membership.Configuration;
import io.graft.raft.protocol.membership.ConfigurationCodec;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks the Raft safety properties (Raft paper Figure 3, §5.4) over the whole history of one
 * simulated run, after every event. Each check is incremental so it can run after every event:
 *
 * <ul>
 *   <li><b>Election Safety</b>: at most one leader per term, ever (a map term → leader); and the
 *       rule it rests on, checked on its own: no member ever durably votes for two candidates in
 *       one term (§5.2), across restarts (a map (member, term) → vote, fed by every save).
 *   <li><b>Log Matching</b>: every member's log is compared through rolling prefix hashes: two logs
 *       holding the same (index, term) must hash equal up to that index. Entry (i, t) is unique
 *       over history, so the first prefix hash seen for (i, t) is the reference for every later
 *       one.
 *   <li><b>Leader Completeness</b>: an entry first seen committed by a member in term C is
 *       committed in a term {@code <= C}, so every leader of a term {@code >= C} must hold the same
 *       prefix. With a fixed set of voters it is also checked before any leader is elected:
 *       <b>committed entries are election-proof</b>, i.e. no voter whose log lacks a committed
 *       entry is at least as up to date (§5.4.1) as a majority of the voters' logs, so no such
 *       voter can ever collect the votes to lead. This is the invariant Leader Completeness is
 *       proven from (§5.4.3); it catches an unsafe commit (Figure 8) the moment it happens, not
 *       only once the election it makes possible has also happened.
 *   <li><b>State Machine Safety</b>: no two members apply different entries at one index; a member
 *       never applies an uncommitted entry, nor skips, nor re-applies differently after a restart.
 *   <li><b>Monotonic state</b>: term and commitIndex never decrease while a member lives; after a
 *       restart term is at least the durable term and commitIndex at least what was durably known
 *       (the hint, bounded by the durable log).
 *   <li><b>Configuration from the log</b> (thesis §4.1): a member uses the latest configuration
 *       entry in its log, committed or not (its initial or the founders' configuration while its
 *       log holds none); after every append, truncation, snapshot install and restart, what its
 *       machine uses is exactly that.
 * </ul>
 *
 * Violations throw {@link SafetyViolation}; the {@link Simulation} adds seed, event number and
 * trace.
 */
public final class SafetyChecker {
  private final Map<Long, MemberId> leaderOfTerm = new HashMap<>();

  /** (index, term) → prefix hash at that index, for every entry any store has ever held. */
  private final Map<Long, Long> prefixByIndexTerm = new HashMap<>();

  private final long[] lastTerm;
  private final long[] lastCommit;
  private final long[] checkedLastIndex;

  /** Committed prefix: hashes of entries 1..committedCount as first observed. */
  private long[] committedPrefix = new long[64];

  private long[] committedEntry = new long[64];
  private long committedCount;

  /** Term of an observing member → the highest commit index observed in that term. */
  private final TreeMap<Long, Long> commitObservedInTerm = new TreeMap<>();

  /** Digest of the entry applied at each index by anyone (State Machine Safety). */
  private long[] applied = new long[64];

  private long appliedCount;

  /** Durable votes: (member, term) → the candidate it voted for (one vote per term, §5.2). */
  private final Map<Long, MemberId> voteOf = new HashMap<>();

  /** Members 0..electors-1 are the fixed voters; 0 when membership changes (check skipped). */
  private int electors;

  /** Per member: how far its log was read for configuration entries, and the prefix hash there. */
  private final long[] configReadTo;

  private final long[] configReadHash;

  /** Per member: the latest configuration entry at or below {@code configReadTo}, or null. */
  private final Configuration[] configInLog;

  public SafetyChecker(int memberCount) {
    lastTerm = new long[memberCount];
    lastCommit = new long[memberCount];
    checkedLastIndex = new long[memberCount];
    configReadTo = new long[memberCount];
    configReadHash = new long[memberCount];
    configInLog = new Configuration[memberCount];
  }

  /**
   * Declares members {@code 0..voters-1} the fixed voters of the run (no membership changes), which
   * enables the election-proof check of committed entries.
   */
  public void fixedVoters(int voters) {
    this.electors = voters;
  }

  /** A member durably saved {@code state}: a vote in its term must never change (§5.2). */
  public void onDurableHardState(MemberView m, HardState state) {
    if (state.votedFor() == null) {
      return;
    }
    long key = state.term() * 64 + m.index();
    MemberId previous = voteOf.putIfAbsent(key, state.votedFor());
    if (previous != null && !previous.equals(state.votedFor())) {
      throw new SafetyViolation(
          "Election Safety (one vote per term, §5.2): "
              + m.id()
              + " voted for "
              + previous
              + " and then for "
              + state.votedFor()
              + " in term "
              + state.term());
    }
  }

  /** Runs every check against the current state of all members. */
  public void afterEvent(List<? extends MemberView> members) {
    for (MemberView m : members) {
      if (!m.alive()) {
        checkLog(m);
        continue;
      }
      checkMonotonic(m);
      if (m.role() == Role.LEADER) {
        checkElectionSafety(m);
      }
      checkLog(m);
      checkConfiguration(m);
      checkCommitted(m);
      if (m.role() == Role.LEADER) {
        checkLeaderCompleteness(m);
      }
    }
    checkCommittedEntriesAreElectionProof(members);
  }

  /** Called once a member has restarted from durable state, before it handles any event. */
  public void onRestart(MemberView m, HardState durable, long durableLastIndex) {
    int i = m.index();
    if (m.term() < durable.term()) {
      throw new SafetyViolation(
          m.id() + " restarted in term " + m.term() + " below its durable term " + durable.term());
    }
    long knownCommit = Math.min(durable.commitIndex(), durableLastIndex);
    if (m.commitIndex() < knownCommit) {
      throw new SafetyViolation(
          m.id()
              + " restarted with commitIndex "
              + m.commitIndex()
              + " below what it durably knew ("
              + knownCommit
              + ", hint "
              + durable.commitIndex()
              + ")");
    }
    lastTerm[i] = m.term();
    lastCommit[i] = m.commitIndex();
    checkedLastIndex[i] = 0;
  }

  /** A member hands {@code e} to its state machine (which applied up to {@code e.index() - 1}). */
  public void onApply(MemberView m, LogEntry e) {
    if (e.index() > m.commitIndex()) {
      throw new SafetyViolation(
          m.id() + " applies " + e + " beyond its commitIndex " + m.commitIndex());
    }
    long digest = Hashing.entry(e);
    long index = e.index();
    if (index <= committedCount && committedEntry[(int) index - 1] != digest) {
      throw new SafetyViolation(
          m.id() + " applies " + e + " but another entry was committed there");
    }
    if (index <= appliedCount) {
      if (applied[(int) index - 1] != digest) {
        throw new SafetyViolation(
            "State Machine Safety: " + m.id() + " applies " + e + " where another was applied");
      }
      return;
    }
    if (index != appliedCount + 1) {
      throw new SafetyViolation(
          m.id() + " applies " + e + " but nobody applied " + (appliedCount + 1));
    }
    if (applied.length == appliedCount) {
      applied = Arrays.copyOf(applied, applied.length * 2);
    }
    applied[(int) appliedCount++] = digest;
  }

  /** A restarted member is handed an entry it applied before its crash: it must be the same one. */
  public void onReapply(MemberView m, LogEntry e, SimStateMachine stateMachine) {
    if (stateMachine.digest(e.index()) != Hashing.entry(e)) {
      throw new SafetyViolation(
          "State Machine Safety: "
              + m.id()
              + " re-delivers "
              + e
              + " after restart, but applied a different entry there before");
    }
  }

  public long committedCount() {
    return committedCount;
  }

  public int leaderTermCount() {
    return leaderOfTerm.size();
  }

  private void checkLog(MemberView m) {
    SimLogStore s = m.store();
    int i = m.index();
    long last = s.lastIndex();
    // Only entries not yet checked (or rewritten since) are compared: walk back from the mark to
    // the last index whose prefix hash is the registered one (equal prefix hash = equal prefix).
    long from = Math.min(checkedLastIndex[i], last);
    while (from > 0) {
      Long registered = prefixByIndexTerm.get(key(from, s.anyTerm(from)));
      if (registered != null && registered == s.prefixHash(from)) {
        break;
      }
      if (registered != null) {
        throw new SafetyViolation(
            "Log Matching: "
                + m.id()
                + " holds "
                + s.entry(from)
                + " with a different prefix than another log holding (index, term)");
      }
      from--;
    }
    for (long index = from + 1; index <= last; index++) {
      long hash = s.prefixHash(index);
      Long previous = prefixByIndexTerm.putIfAbsent(key(index, s.anyTerm(index)), hash);
      if (previous != null && previous != hash) {
        throw new SafetyViolation(
            "Log Matching: "
                + m.id()
                + " holds "
                + s.entry(index)
                + " with a different prefix than another log holding (index, term)");
      }
    }
    checkedLastIndex[i] = last;
  }

  /**
   * The machine's configuration is the latest configuration entry of its log (the store holds what
   * the machine wrote, see {@link #checkMonotonic}). While its log holds none it is its initial
   * configuration, or the founders' one when a snapshot of a prefix without configuration entries
   * set it (a joiner's snapshot install). Reads only the entries appended since the last check,
   * unless the log was cut or rewritten below that mark.
   */
  private void checkConfiguration(MemberView m) {
    int i = m.index();
    SimLogStore s = m.store();
    long last = s.lastIndex();
    long from = configReadTo[i];
    if (from > last || s.prefixHash(from) != configReadHash[i]) {
      from = 0;
      configInLog[i] = null;
    }
    for (long index = from + 1; index <= last; index++) {
      LogEntry e = s.entry(index);
      if (e.type() == EntryType.CONFIGURATION) {
        configInLog[i] = ConfigurationCodec.decode(e.payload());
      }
    }
    configReadTo[i] = last;
    configReadHash[i] = s.prefixHash(last);
    Configuration used = m.configuration();
    Configuration inLog = configInLog[i];
    if (inLog != null ? !inLog.equals(used)
        : !used.equals(m.initialConfiguration()) && !used.equals(m.foundingConfiguration())) {
      throw new SafetyViolation(
          "Configuration (thesis §4.1): "
              + m.id()
              + " uses "
              + used
              + (inLog != null
                  ? " but the latest configuration entry of its log [1, " + last + "] is " + inLog
                  : " but its log [1, " + last + "] holds no configuration entry: it must use"
                      + " its initial configuration " + m.initialConfiguration()
                      + " or the founders' " + m.foundingConfiguration()));
    }
  }

  private void checkMonotonic(MemberView m) {
    int i = m.index();
    if (m.term() < lastTerm[i]) {
      throw new SafetyViolation(m.id() + " term went back from " + lastTerm[i] + " to " + m.term());
    }
    if (m.commitIndex() < lastCommit[i]) {
      throw new SafetyViolation(
          m.id() + " commitIndex went back from " + lastCommit[i] + " to " + m.commitIndex());
    }
    lastTerm[i] = m.term();
    lastCommit[i] = m.commitIndex();
    if (m.commitIndex() > m.store().lastIndex()) {
      throw new SafetyViolation(
          m.id()
              + " commitIndex "
              + m.commitIndex()
              + " beyond its durable-written log "
              + m.store().lastIndex());
    }
    if (m.machineLastIndex() != m.store().lastIndex()) {
      throw new SafetyViolation(
          m.id()
              + " machine lastIndex "
              + m.machineLastIndex()
              + " != store lastIndex "
              + m.store().lastIndex()
              + " after its Ready was handled");
    }
  }

  private void checkCommitted(MemberView m) {
    long commit = m.commitIndex();
    SimLogStore s = m.store();
    long shared = Math.min(commit, committedCount);
    if (shared > 0 && s.prefixHash(shared) != committedPrefix[(int) shared - 1]) {
      throw new SafetyViolation(
          m.id()
              + " committed prefix up to "
              + shared
              + " differs from the prefix committed elsewhere");
    }
    for (long index = committedCount + 1; index <= commit; index++) {
      ensureCommittedCapacity(index);
      committedPrefix[(int) index - 1] = s.prefixHash(index);
      long digest = Hashing.entry(s.entry(index));
      if (index <= appliedCount && applied[(int) index - 1] != digest) {
        throw new SafetyViolation(
            m.id() + " commits " + s.entry(index) + " but another entry was already applied there");
      }
      committedEntry[(int) index - 1] = digest;
    }
    committedCount = Math.max(committedCount, commit);
    if (commit > 0) {
      commitObservedInTerm.merge(m.term(), commit, Math::max);
    }
  }

  private void checkElectionSafety(MemberView m) {
    MemberId previous = leaderOfTerm.putIfAbsent(m.term(), m.id());
    if (previous != null && !previous.equals(m.id())) {
      throw new SafetyViolation(
          "Election Safety: " + previous + " and " + m.id() + " both leader in term " + m.term());
    }
  }

  private void checkLeaderCompleteness(MemberView m) {
    long required = 0;
    for (long observed : commitObservedInTerm.headMap(m.term(), true).values()) {
      required = Math.max(required, observed);
    }
    SimLogStore s = m.store();
    if (required == 0) {
      return;
    }
    if (s.lastIndex() < required || s.prefixHash(required) != committedPrefix[(int) required - 1]) {
      throw new SafetyViolation(
          "Leader Completeness: leader "
              + m.id()
              + " of term "
              + m.term()
              + " lacks committed entries up to "
              + required
              + " (its lastIndex "
              + s.lastIndex()
              + ")");
    }
  }

  /**
   * No voter that lacks a committed entry may be able to win an election: its log must be less up
   * to date (§5.4.1) than the logs of a majority of the voters, which then refuse it their votes.
   * Logs are read from the stores, written or not yet synced, dead members included (a crash keeps
   * a prefix of them). Votes already cast and terms are ignored: whatever they are, such a voter
   * could campaign in a later term.
   */
  private void checkCommittedEntriesAreElectionProof(List<? extends MemberView> members) {
    if (electors == 0 || committedCount == 0) {
      return;
    }
    long required = committedPrefix[(int) committedCount - 1];
    for (int c = 0; c < electors; c++) {
      SimLogStore candidate = members.get(c).store();
      long lastIndex = candidate.lastIndex();
      if (lastIndex >= committedCount && candidate.prefixHash(committedCount) == required) {
        continue;
      }
      long lastTerm = candidate.anyTerm(lastIndex);
      int supporters = 0;
      for (int v = 0; v < electors; v++) {
        SimLogStore voter = members.get(v).store();
        long voterLast = voter.lastIndex();
        long voterTerm = voter.anyTerm(voterLast);
        if (lastTerm > voterTerm || (lastTerm == voterTerm && lastIndex >= voterLast)) {
          supporters++;
        }
      }
      if (supporters > electors / 2) {
        throw new SafetyViolation(
            "Leader Completeness (committed entries election-proof): "
                + members.get(c).id()
                + " lacks committed entries up to "
                + committedCount
                + " but its log (last term "
                + lastTerm
                + ", index "
                + lastIndex
                + ") is at least as up to date as "
                + supporters
                + " of the "
                + electors
                + " voters' logs: it can be elected without them");
      }
    }
  }

  private void ensureCommittedCapacity(long index) {
    if (index > committedPrefix.length) {
      int size = Math.max(committedPrefix.length * 2, (int) index);
      committedPrefix = Arrays.copyOf(committedPrefix, size);
      committedEntry = Arrays.copyOf(committedEntry, size);
    }
  }

  private static long key(long index, long term) {
    if (term >= 1L << 24 || index >= 1L << 39) {
      throw new IllegalStateException("simulation too long for the (index, term) key");
    }
    return index << 24 | term;
  }
}
