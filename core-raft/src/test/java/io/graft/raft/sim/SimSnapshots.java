package io.graft.raft.sim;

import io.graft.raft.api.MemberId;
import io.graft.raft.message.Envelope;
import io.graft.raft.message.InstallSnapshot;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.LogEntry;
import io.graft.raft.protocol.SnapshotMeta;
import io.graft.raft.protocol.SnapshotSend;
import io.graft.raft.protocol.membership.Configuration;
import io.graft.raft.protocol.membership.ConfigurationCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Snapshots and log compaction in the simulation (thesis §5): members take snapshots of their
 * state machine at random times and compact their log to a random number of retained entries
 * before it; a leader asked to send a snapshot sends one InstallSnapshot message (the chunking and
 * resume of the real runtime are tested apart, in {@code runtime.snapshot}), which the network may
 * drop, duplicate or delay; the receiver installs it in a later event (state machine, then log,
 * then {@code restoreSnapshot}), and may crash in between. A restarted member whose state machine
 * is behind its compacted log installs its own latest snapshot first, as the runtime does.
 */
final class SimSnapshots {
  /** A snapshot: index, term, the state machine's digests and the log prefix (the shadow). */
  record Snapshot(long index, long term, long[] stateMachine, List<LogEntry> prefix,
      Configuration configuration) {}

  private final Simulation simulation;
  private final List<SimMember> members;
  private final Set<MemberId> voters;
  private final RandomGenerator random;
  private final int retainMax;
  private final int intervalMax;
  private int installs;
  private int compactions;

  SimSnapshots(Simulation simulation, List<SimMember> members, Set<MemberId> voters,
      RandomGenerator random) {
    this.simulation = simulation;
    this.members = members;
    this.voters = voters;
    this.random = random;
    this.retainMax = random.nextInt(20);
    this.intervalMax = 50 + random.nextInt(400);
  }

  int installs() {
    return installs;
  }

  int compactions() {
    return compactions;
  }

  long nextCompactDelay() {
    return 1 + random.nextInt(intervalMax);
  }

  private static SnapshotMeta meta(Snapshot s) {
    return new SnapshotMeta(s.index(), s.term(), s.configuration());
  }

  /** The member's newest snapshot for the machine it restarts with, or null. */
  SnapshotMeta localMeta(SimMember m) {
    return m.localSnapshot == null ? null : meta(m.localSnapshot);
  }

  /**
   * The configuration as of {@code prefix}'s end (thesis §5.1): its last CONFIGURATION entry, or
   * the founders' voters if it has none.
   */
  private Configuration configurationAt(List<LogEntry> prefix) {
    for (int i = prefix.size() - 1; i >= 0; i--) {
      if (prefix.get(i).type() == EntryType.CONFIGURATION) {
        return ConfigurationCodec.decode(prefix.get(i).payload());
      }
    }
    return Configuration.ofVoters(voters);
  }

  /**
   * A random live member snapshots its state machine and compacts its log prefix; as the runtime
   * does, it first waits for its log writes in flight (compaction must not race an fsync).
   */
  void onCompact() {
    SimMember m = members.get(random.nextInt(members.size()));
    // As the runtime, which compacts between batches: what the completed writes made applicable
    // (a leader's own write may have committed entries) is handed out first. Handing it out may
    // start a write of its own (a candidate whose saved vote made it leader appends its NOOP):
    // then that one is awaited and handed out too, so no fsync runs when the log is compacted.
    int rounds = 0;
    do {
      if (++rounds > 3 || !m.alive() || !simulation.awaitWrites(m)) {
        return;
      }
      simulation.drain(m);
    } while (m.alive() && m.store.hasUnsyncedWrites());
    if (!m.alive()) {
      return;
    }
    long applied = m.stateMachine.lastAppliedIndex();
    // Never beyond the machine's own commitIndex: the state machine may be ahead of it (a
    // snapshot installed just before a crash, before the log was reset), and then the log's
    // prefix up to the applied index may still hold stale uncommitted entries; compacting them
    // would make them "committed" on restart. (This simulation found exactly that.)
    if (applied <= m.store.snapshotIndex() || applied > m.machine.commitIndex()) {
      return;
    }
    List<LogEntry> prefix = m.store.shadowPrefix(applied);
    Snapshot s = new Snapshot(applied, m.store.anyTerm(applied), m.stateMachine.snapshot(),
        prefix, configurationAt(prefix));
    m.localSnapshot = s;
    long upTo = Math.max(m.store.snapshotIndex(), applied - random.nextInt(retainMax + 1));
    if (upTo > m.store.snapshotIndex()) {
      m.store.compactPrefix(upTo, m.store.anyTerm(upTo));
      compactions++;
    }
    simulation.noteFault("snapshot " + m.id() + " at " + applied + ", log compacted to " + upTo);
    m.machine.snapshotAvailable(meta(s));
    simulation.drain(m);
  }

  /** Leader side of a Ready: one message carrying the whole snapshot per requested transfer. */
  List<Envelope> transfers(SimMember leader, List<SnapshotSend> sends) {
    List<Envelope> out = new ArrayList<>();
    for (SnapshotSend send : sends) {
      Snapshot s = leader.localSnapshot;
      if (s == null || s.index() < send.snapshot().index()) {
        throw new SafetyViolation(leader.id() + " asked to send snapshot " + send.snapshot()
            + " but holds " + (s == null ? "none" : s.index()));
      }
      out.add(new Envelope(send.to(), new InstallSnapshot(leader.id(), send.term(), s.index(),
          s.term(), new byte[0], 0, new byte[0], 0, true)));
    }
    return out;
  }

  /** Follower side of a Ready: each accepted snapshot is installed in a later event. */
  void received(SimMember m, List<InstallSnapshot> chunks) {
    for (InstallSnapshot c : chunks) {
      int leader = Integer.parseInt(c.from().value().substring(1));
      simulation.schedule(1 + random.nextInt(Simulation.TICK), new SimEvent.InstallSnapshot(
          m.index(), m.incarnation, c.lastIncludedIndex(), c.lastIncludedTerm(), leader));
    }
  }

  /**
   * Installs a received snapshot as the runtime does: state machine (if behind), log (keep a
   * matching suffix, else drop it), then the protocol, which answers the leader.
   */
  void onInstall(SimEvent.InstallSnapshot e) {
    SimMember m = members.get(e.member());
    if (!m.alive() || m.incarnation != e.incarnation()) {
      return; // lost with a crash: the leader sends it again after a stall
    }
    Snapshot s = members.get(e.leader()).localSnapshot;
    if (s == null || s.index() < e.index()) {
      return; // the sender crashed and lost it? (never: snapshots are durable) keep it simple
    }
    if (s.index() != e.index()) {
      return; // the sender moved on to a newer snapshot; it will send that one
    }
    if (m.role() == io.graft.raft.api.Role.LEADER) {
      return; // elected meanwhile: a leader never discards its log (§5.3); it has all committed
    }
    if (e.index() <= m.machine.commitIndex()) {
      m.machine.restoreSnapshot(meta(s), MemberId.of("m" + e.leader()));
      simulation.drain(m);
      return;
    }
    if (!simulation.awaitWrites(m)) {
      return; // crashed on its way: the leader sends it again
    }
    m.localSnapshot = s;
    if (m.stateMachine.lastAppliedIndex() < s.index()) {
      m.stateMachine.install(s.stateMachine());
    }
    if (!simulation.livenessPhase() && random.nextInt(8) == 0) {
      simulation.noteFault("crash " + m.id() + " between snapshot install and log reset");
      simulation.crashAndRestartLater(m);
      return;
    }
    resetLog(m, s);
    installs++;
    simulation.noteFault("install snapshot " + s.index() + " on " + m.id());
    m.machine.restoreSnapshot(meta(s), MemberId.of("m" + e.leader()));
    simulation.drain(m);
  }

  /** As the runtime's reset: its caller made the writes in flight durable first. */
  private static void resetLog(SimMember m, Snapshot s) {
    boolean matches = s.index() <= m.store.lastIndex() && s.index() > m.store.snapshotIndex()
        && m.store.anyTerm(s.index()) == s.term();
    if (matches) {
      m.store.compactPrefix(s.index(), s.term()); // §5.3 rule 6: keep the entries after it
    } else {
      m.store.installSnapshot(s.prefix(), s.index(), s.term()); // rule 7: discard the log
    }
  }

  /**
   * Before a restart, as the runtime does: a local snapshot beyond what the log vouches for as
   * committed is an install interrupted by a crash; finish its log reset first.
   */
  void beforeRestart(SimMember m, long durableCommit) {
    Snapshot s = m.localSnapshot;
    if (s != null && s.index() > Math.max(durableCommit, m.store.snapshotIndex())) {
      m.store.sync();
      resetLog(m, s);
      simulation.noteFault(m.id() + " finishes the interrupted install of snapshot " + s.index());
    }
  }

  /** At restart: catch the state machine up to the compacted log. */
  void onRestart(SimMember m) {
    Snapshot s = m.localSnapshot;
    if (m.stateMachine.lastAppliedIndex() < m.store.snapshotIndex()) {
      if (s == null || s.index() < m.store.snapshotIndex()) {
        throw new SafetyViolation(m.id() + " log compacted to " + m.store.snapshotIndex()
            + " but its newest snapshot is " + (s == null ? "none" : s.index()));
      }
      m.stateMachine.install(s.stateMachine());
    }
  }
}
