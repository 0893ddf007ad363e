package io.graft.raft.sim;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.message.AppendEntriesResponse;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.Envelope;
import io.graft.raft.message.LogEntry;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.message.RequestVoteResponse;
import io.graft.raft.protocol.HardState;
import io.graft.raft.protocol.Ready;
import io.graft.raft.runtime.ReadyDriver;
import io.graft.raft.transport.Transport;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Runs each simulated member's Readies through the production runtime's own Ready handling
 * ({@link ReadyDriver}: ReadyHandler and DurableWriter), giving it what the simulation controls:
 * a transport onto the {@link SimNetwork}, a disk whose fsyncs finish inline or in a later event
 * (so the member keeps stepping messages, ticks and proposals while its writes are in flight, and
 * further writes queue behind them), the virtual clock, the apply hand-off to the {@link
 * SimStateMachine} under the {@link SafetyChecker}'s eye, snapshot effects to {@link
 * SimSnapshots}, and a crash hook that kills a member armed by the {@link FaultInjector} at its
 * chosen {@link ReadyDriver.CrashPoint}.
 */
final class SimRuntime {
  /** Virtual time units are milliseconds for the runtime's clock. */
  private static final long NANOS_PER_UNIT = 1_000_000L;

  private final Simulation simulation;
  private final List<SimMember> members;
  private final SimNetwork network;
  private final SafetyChecker checker;
  private final RandomGenerator random;

  /** 0: every fsync finishes at once; else a slow one takes up to this many time units. */
  private final int diskLatencyMax;

  private final Map<MemberId, Integer> indexOf = new HashMap<>();

  /** Liveness phase: index of a fresh entry → members that applied it. */
  private final Map<Long, Set<MemberId>> freshApplied = new HashMap<>();

  SimRuntime(
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

  /** The runtime of a member that (re)starts with {@code m.machine}. */
  ReadyDriver create(SimMember m) {
    int incarnation = m.incarnation;
    Executor disk =
        task -> {
          if (diskLatencyMax > 0 && random.nextBoolean()) {
            simulation.schedule(
                1 + random.nextInt(diskLatencyMax),
                new SimEvent.DiskRun(m.index(), incarnation, task));
          } else {
            task.run();
          }
        };
    Consumer<Ready> snapshotEffects =
        ready -> {
          send(m, simulation.snapshots().transfers(m, ready.snapshotsToSend()));
          simulation.snapshots().received(m, ready.snapshotChunks());
        };
    ReadyDriver driver = new ReadyDriver(
        m.machine,
        m.store,
        m.meta,
        transport(m),
        entries -> apply(m, entries),
        snapshotEffects,
        disk,
        () -> simulation.now() * NANOS_PER_UNIT,
        point -> {
          if (point == m.crashAt) {
            throw new SimCrash(point);
          }
        },
        // The runner syncs on its own thread when its inbox is empty: sometimes here too.
        () -> random.nextInt(4) == 0,
        RaftLogging.slf4j());
    return driver;
  }

  /** True once one fresh entry was applied by every member in {@code required}. */
  boolean freshAppliedBy(Set<MemberId> required) {
    for (Set<MemberId> appliedBy : freshApplied.values()) {
      if (appliedBy.containsAll(required)) {
        return true;
      }
    }
    return false;
  }

  /** After the member's machine took an input: the runtime carries out what it has to do. */
  void process(SimMember m) {
    if (!m.alive()) {
      return;
    }
    try {
      m.driver.process();
    } catch (SimCrash crash) {
      crashed(m, crash);
    }
  }

  /** A slow fsync finishes: the sync-side task runs, then the owner completes what is durable. */
  void onDiskRun(SimEvent.DiskRun d) {
    SimMember m = members.get(d.member());
    if (!m.alive() || m.incarnation != d.incarnation()) {
      return; // the process died with its disk work; the store's crash decided what survived
    }
    try {
      d.task().run();
      m.driver.process();
    } catch (SimCrash crash) {
      crashed(m, crash);
    }
  }

  /**
   * Makes the member's queued writes durable now, as the runtime does before compacting or
   * resetting its log. False if the member crashed doing it (an armed crash on the sync side).
   */
  boolean awaitWrites(SimMember m) {
    try {
      m.driver.awaitWrites();
      return true;
    } catch (SimCrash crash) {
      crashed(m, crash);
      return false;
    }
  }

  private void crashed(SimMember m, SimCrash crash) {
    simulation.noteFault("crash " + m.id() + " inside its runtime at " + crash.point);
    simulation.crash(m);
    simulation.afterArmedCrash(m);
  }

  private Transport transport(SimMember from) {
    return new Transport() {
      @Override
      public void start(Consumer<RaftMessage> inbound) {}

      @Override
      public void setPeers(Map<MemberId, String> addresses) {}

      @Override
      public void send(MemberId to, RaftMessage message) {
        SimRuntime.this.send(from, List.of(new Envelope(to, message)));
      }

      @Override
      public void close() {}
    };
  }

  private void send(SimMember from, List<Envelope> envelopes) {
    for (Envelope e : envelopes) {
      Integer to = indexOf.get(e.to());
      if (to == null || !from.id().equals(e.message().from())) {
        throw new SafetyViolation(from.id() + " emitted a malformed envelope " + e);
      }
      checkPromisesAreDurable(from, e);
      for (long delay : network.deliveryDelays(from.index(), to, random)) {
        simulation.schedule(delay, new SimEvent.Deliver(from.index(), to, e));
      }
    }
  }

  /**
   * Figure 2, "respond after persisting": an append acknowledgement promises the entries up to its
   * match index are durable, a granted vote that the vote is; both must hold when the message
   * leaves, whatever the disk still has in flight.
   */
  private static void checkPromisesAreDurable(SimMember from, Envelope e) {
    if (e.message() instanceof AppendEntriesResponse r
        && r.success()
        && r.matchIndex() > from.store.durableLastIndex()) {
      throw new SafetyViolation(from.id() + " acknowledges up to " + r.matchIndex()
          + " but only " + from.store.durableLastIndex() + " is durable: " + r);
    }
    if (e.message() instanceof RequestVoteResponse v && v.granted() && !v.preVote()) {
      // A later term durable instead is as good: the member can never vote in this term again.
      HardState durable = from.meta.load();
      boolean recorded = durable.term() > v.term()
          || (durable.term() == v.term() && e.to().equals(durable.votedFor()));
      if (!recorded) {
        throw new SafetyViolation(from.id() + " grants " + e + " but its durable state is "
            + durable);
      }
    }
  }

  /** The apply hand-off: committed, durable entries, in order, checked before they apply. */
  private void apply(SimMember m, List<LogEntry> entries) {
    for (LogEntry e : entries) {
      if (e.index() > m.store.durableLastIndex()) {
        throw new SafetyViolation(m.id() + " hands " + e + " to apply but only "
            + m.store.durableLastIndex() + " is durable there");
      }
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
        freshApplied.computeIfAbsent(e.index(), i -> new TreeSet<>()).add(m.id());
      }
    }
  }
}
