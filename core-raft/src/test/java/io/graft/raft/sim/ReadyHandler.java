package io.graft.raft.sim;

import io.graft.raft.api.MemberId;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.Envelope;
import io.graft.raft.message.LogEntry;
import io.graft.raft.protocol.Ready;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The simulated runtime's Ready loop: carries out each Ready in the order documented on {@link
 * Ready} (messagesNow, persist, hard state, sync, messagesAfterPersist, apply, advance), with an
 * optional slow disk, and crashes a member armed by the {@link FaultInjector} at its chosen stage.
 * It also reports applied entries to the {@link SafetyChecker} and tracks the liveness goal.
 */
final class ReadyHandler {
  private static final int READY_ROUNDS_MAX = 1_000;

  private final Simulation simulation;
  private final List<SimMember> members;
  private final SimNetwork network;
  private final SafetyChecker checker;
  private final RandomGenerator random;

  /** 0: the disk completes within the event; else a slow disk takes up to this many time units. */
  private final int diskLatencyMax;

  private final Map<MemberId, Integer> indexOf = new HashMap<>();

  /** Liveness phase: index of a fresh entry → members that applied it. */
  private final Map<Long, java.util.Set<MemberId>> freshApplied = new HashMap<>();

  ReadyHandler(
      Simulation simulation,
      List<SimMember> members,
      SimNetwork network,
      SafetyChecker checker,
      RandomGenerator random,
      int diskLatencyMax) {
    this.simulation = simulation;
    this.members = members;
    this.network = network;
    this.checker = checker;
    this.random = random;
    this.diskLatencyMax = diskLatencyMax;
    for (SimMember m : members) {
      indexOf.put(m.id(), m.index());
    }
  }

  /** True once one fresh entry was applied by every member in {@code required}. */
  boolean freshAppliedBy(java.util.Set<MemberId> required) {
    for (java.util.Set<MemberId> appliedBy : freshApplied.values()) {
      if (appliedBy.containsAll(required)) {
        return true;
      }
    }
    return false;
  }

  /** Handles Readies until the machine has nothing left to do (bounded, to catch a livelock). */
  void drain(SimMember m) {
    int rounds = 0;
    while (m.alive() && m.diskBusy == null && m.machine.hasReady()) {
      if (++rounds > READY_ROUNDS_MAX) {
        throw new SafetyViolation(m.id() + " still hasReady after " + READY_ROUNDS_MAX + " rounds");
      }
      handleReady(m, m.machine.ready());
    }
  }

  /**
   * The runtime's Ready loop, in the order documented on {@link Ready}; a member armed by the fault
   * injector crashes at its chosen stage (0 = before anything, 6 = before advance). With a slow
   * disk the persist half completes in a later event, so the member keeps receiving messages and
   * ticks (but gets no new Ready) while its own writes are in flight (thesis §10.2.1).
   */
  private void handleReady(SimMember m, Ready r) {
    if (crashesAt(m, 0)) {
      return;
    }
    send(m, r.messagesNow());
    send(m, simulation.snapshots().transfers(m, r.snapshotsToSend()));
    if (crashesAt(m, 1)) {
      return;
    }
    if (diskLatencyMax > 0 && random.nextBoolean()) {
      m.diskBusy = r;
      simulation.schedule(
          1 + random.nextInt(diskLatencyMax), new SimEvent.DiskDone(m.index(), m.incarnation));
      return;
    }
    persistAndFinish(m, r);
  }

  void onDiskDone(SimEvent.DiskDone d) {
    SimMember m = members.get(d.member());
    if (!m.alive() || m.incarnation != d.incarnation() || m.diskBusy == null) {
      return;
    }
    Ready r = m.diskBusy;
    m.diskBusy = null;
    persistAndFinish(m, r);
    drain(m);
  }

  private void persistAndFinish(SimMember m, Ready r) {
    List<LogEntry> entries = r.entriesToPersist();
    if (!entries.isEmpty()) {
      long first = entries.get(0).index();
      if (first <= m.store.lastIndex()) {
        m.store.truncateSuffix(first);
      }
      m.store.append(entries);
    }
    if (crashesAt(m, 2)) {
      return;
    }
    if (r.hardState() != null) {
      m.meta.save(r.hardState());
    }
    if (crashesAt(m, 3)) {
      return;
    }
    if (r.mustSync()) {
      m.store.sync();
    }
    if (crashesAt(m, 4)) {
      return;
    }
    send(m, r.messagesAfterPersist());
    if (crashesAt(m, 5)) {
      return;
    }
    apply(m, r.entriesToApply());
    if (crashesAt(m, 6)) {
      return;
    }
    m.machine.advance(r);
    simulation.snapshots().received(m, r.snapshotChunks());
  }

  private boolean crashesAt(SimMember m, int stage) {
    if (m.crashAtStage != stage) {
      return false;
    }
    simulation.noteFault("crash " + m.id() + " inside its Ready at stage " + stage);
    simulation.crash(m);
    simulation.afterArmedCrash(m);
    return true;
  }

  private void send(SimMember from, List<Envelope> envelopes) {
    for (Envelope e : envelopes) {
      Integer to = indexOf.get(e.to());
      if (to == null || !from.id().equals(e.message().from())) {
        throw new SafetyViolation(from.id() + " emitted a malformed envelope " + e);
      }
      for (long delay : network.deliveryDelays(from.index(), to, random)) {
        simulation.schedule(delay, new SimEvent.Deliver(from.index(), to, e));
      }
    }
  }

  private void apply(SimMember m, List<LogEntry> entries) {
    for (LogEntry e : entries) {
      if (e.index() <= m.stateMachine.lastAppliedIndex()) {
        checker.onReapply(m, e, m.stateMachine);
        continue;
      }
      checker.onApply(m, e);
      m.stateMachine.apply(e);
      byte[] p = e.payload();
      if (simulation.livenessPhase()
          && e.type() == EntryType.APPLICATION
          && p.length > 0
          && p[0] == 1) {
        freshApplied.computeIfAbsent(e.index(), i -> new java.util.TreeSet<>()).add(m.id());
      }
    }
  }
}
