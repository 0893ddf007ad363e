package io.graft.raft.sim;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Membership;
import io.graft.raft.api.MembershipChangeException;
import io.graft.raft.api.NotLeaderException;
import io.graft.raft.api.ProposalRejectedException;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.api.Role;
import io.graft.raft.protocol.BrokenProtocol;
import io.graft.raft.protocol.HardState;
import io.graft.raft.protocol.RaftConfig;
import io.graft.raft.protocol.RaftMachine;
import io.graft.raft.protocol.Ready;
import io.graft.raft.protocol.membership.ChangeOutcome;
import io.graft.raft.protocol.membership.Configuration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * Tier 2 deterministic simulation (docs/TESTING.md): N {@link RaftMachine}s on one thread, driven
 * by one seeded generator, a virtual clock and a priority queue of events (ticks, deliveries,
 * client proposals, faults, disk completions). Each member's Readies go through the production
 * runtime's own Ready handling ({@link SimRuntime}, {@link io.graft.raft.runtime.ReadyDriver}) on
 * a simulated disk, and a member may crash between any two of its steps. The {@link SafetyChecker}
 * runs after every event.
 *
 * <p>A run has a chaos phase of {@code events} events with network and process faults, then a
 * liveness phase: everything healed and restarted, a leader must commit and apply a fresh entry on
 * every member within {@link #LIVENESS_TICKS} ticks. Everything that happens is folded into a trace
 * hash, so two runs of one seed can be compared for determinism.
 */
public final class Simulation {
  /** Virtual time units per tick; message delays are a few units, so about a tick. */
  static final int TICK = 10;

  /**
   * Liveness bound after healing: a base for elections plus two ticks per entry of backlog (the
   * longest log minus the lowest commit index at healing), because a follower that is hundreds of
   * entries behind catches up at a rate set by entriesPerAppendMax and the reordering network.
   */
  static final int LIVENESS_TICKS = Integer.getInteger("sim.livenessTicks", 200);

  static final int LIVENESS_TICKS_PER_BACKLOG_ENTRY =
      Integer.getInteger("sim.livenessTicksPerEntry", 2);
  private static final int TRACE_TAIL = Integer.getInteger("sim.traceTail", 60);

  /** Ticks the disruption phase runs once the removed member is back on the network. */
  static final int DISRUPTION_TICKS = Integer.getInteger("sim.disruptionTicks", 300);

  /** Outcome of a successful run. */
  public record Result(
      long traceHash,
      long events,
      long virtualTime,
      long committed,
      int leaderTerms,
      int crashes,
      long livenessTicks,
      int membershipChangesDone,
      int compactions,
      int snapshotInstalls) {}

  /**
   * What the disruption phase measured ({@link #withDisruptiveMember}): from the moment the
   * removed member {@code removed} (restarted without PreVote, still believing it is a voter)
   * could reach everyone again, for {@link #DISRUPTION_TICKS} ticks.
   *
   * @param disruptorElections real elections the removed member started (its RequestVotes)
   * @param othersElections (real) elections started by the members of the new configuration
   * @param termBefore the leader's term when the phase began
   * @param termAfter the highest term among the new configuration's members at its end
   * @param leaderKept the same member leads, in the same term, at the end
   */
  public record Disruption(
      String removed,
      int clusterSize,
      long disruptorElections,
      long othersElections,
      long termBefore,
      long termAfter,
      boolean leaderKept) {
    /** Any sign that the removed member disturbed the cluster. */
    public boolean disrupted() {
      return !leaderKept || othersElections > 0 || termAfter != termBefore;
    }
  }

  private final long seed;
  private final int eventBudget;
  private final int spareCount;

  /** The deliberately broken variant under test (mutation proof), or null for the real protocol. */
  private final BrokenVariant broken;

  private final RandomGenerator random;
  private final RaftConfig config;
  private final List<SimMember> members = new ArrayList<>();
  private final Set<MemberId> voters = new LinkedHashSet<>();
  private final SimNetwork network;
  private final SafetyChecker checker;
  private final PriorityQueue<Scheduled> queue = new PriorityQueue<>();
  private final ArrayDeque<Object> traceTail = new ArrayDeque<>();

  /** Faults, crashes and restarts stay longer than ordinary events: they explain a failure. */
  private final ArrayDeque<String> faultTail = new ArrayDeque<>();

  private final FaultInjector faults;
  private final SimRuntime runtime;
  private final SimSnapshots snapshots;
  private long now;
  private long sequence;
  private long eventNumber;
  private long traceHash;
  private long proposalCounter;
  private boolean livenessPhase;
  private long livenessTicks;
  private long changeRequests;
  private int membershipChangesDone;

  /** Null: no disruption phase; else whether the §4.2.3 lease rule stays on in it. */
  private Boolean disruptionLeaseRule;

  /** The member removed in the disruption phase, restarted with {@link #disruptorConfig}. */
  private SimMember disruptor;

  private RaftConfig disruptorConfig;
  private Disruption disruption;

  private record Scheduled(long time, long sequence, SimEvent event)
      implements Comparable<Scheduled> {
    @Override
    public int compareTo(Scheduled o) {
      int byTime = Long.compare(time, o.time);
      return byTime != 0 ? byTime : Long.compare(sequence, o.sequence);
    }
  }

  public Simulation(long seed, int memberCount, int eventBudget) {
    this(seed, memberCount, 0, eventBudget);
  }

  /**
   * With {@code spareCount > 0}, that many extra members start outside the configuration (joining
   * members, thesis §4.2.1) and the fault injector also adds and removes members, the leader
   * included (thesis §4.1, §4.2.2), racing with every other fault.
   */
  public Simulation(long seed, int memberCount, int spareCount, int eventBudget) {
    this(seed, memberCount, spareCount, eventBudget, null);
  }

  /**
   * As above, with every member running the deliberately broken {@code broken} variant (null: the
   * real protocol). Everything else, faults and checks included, is exactly the correct run's.
   */
  public Simulation(
      long seed, int memberCount, int spareCount, int eventBudget, BrokenVariant broken) {
    this.seed = seed;
    this.eventBudget = eventBudget;
    this.spareCount = spareCount;
    this.broken = broken;
    this.random = new SplittableRandom(seed);
    this.config = randomConfig(random);
    for (int i = 0; i < memberCount + spareCount; i++) {
      MemberId id = MemberId.of("m" + i);
      members.add(new SimMember(i, id));
      if (i < memberCount) {
        voters.add(id);
      }
    }
    this.network = new SimNetwork(memberCount + spareCount);
    this.checker = new SafetyChecker(memberCount + spareCount);
    if (spareCount == 0) {
      checker.fixedVoters(memberCount);
    }
    for (SimMember m : members) {
      m.meta.onSave(state -> checker.onDurableHardState(m, state));
      m.foundingConfiguration = Configuration.ofVoters(voters);
    }
    this.faults = new FaultInjector(this, network, random, spareCount > 0);
    int diskLatencyMax = new int[] {0, 5, 20}[random.nextInt(3)];
    this.snapshots = new SimSnapshots(this, members, voters, random);
    this.runtime = new SimRuntime(this, members, network, checker, random, diskLatencyMax);
  }

  /** Varies the limits and the optional protocol features per seed, within sane bounds. */
  private static RaftConfig randomConfig(RandomGenerator random) {
    return new RaftConfig(
            10,
            2,
            1 + random.nextInt(8),
            128 + random.nextInt(2048),
            1 + random.nextInt(8),
            2048 + random.nextInt(16_384),
            random.nextBoolean(),
            random.nextBoolean(),
            new long[] {0, 64, 4096}[random.nextInt(3)])
        .validate();
  }

  /**
   * Runs the chaos phase then the liveness phase; throws {@link SimulationFailure} on violation.
   */
  public Result run() {
    try {
      for (SimMember m : members) {
        restart(m);
      }
      schedule(1 + random.nextInt(20), new SimEvent.Propose());
      schedule(50 + random.nextInt(100), new SimEvent.Fault());
      schedule(snapshots.nextCompactDelay(), new SimEvent.Compact());
      while (eventNumber < eventBudget) {
        step();
      }
      runLiveness();
      if (disruptionLeaseRule != null) {
        runDisruption();
      }
    } catch (RuntimeException | AssertionError e) {
      throw new SimulationFailure(
          seed, members.size() - spareCount, spareCount, eventBudget, broken, eventNumber, e,
          traceTail());
    }
    int crashes = faults.crashes();
    return new Result(
        traceHash,
        eventNumber,
        now,
        checker.committedCount(),
        checker.leaderTermCount(),
        crashes,
        livenessTicks,
        membershipChangesDone,
        snapshots.compactions(),
        snapshots.installs());
  }

  private void runLiveness() {
    livenessPhase = true;
    faults.disable();
    network.heal();
    network.setFlakiness(0, 0);
    noteFault("liveness phase: healed " + network.describe() + " config " + config);
    for (SimMember m : members) {
      m.crashAt = null;
      if (!m.alive()) {
        restart(m);
      }
    }
    long longestLog = 0;
    long lowestCommit = Long.MAX_VALUE;
    for (SimMember m : members) {
      longestLog = Math.max(longestLog, m.machineLastIndex());
      lowestCommit = Math.min(lowestCommit, m.commitIndex());
    }
    long boundTicks =
        LIVENESS_TICKS + LIVENESS_TICKS_PER_BACKLOG_ENTRY * Math.max(0, longestLog - lowestCommit);
    long healedAt = now;
    long deadline = now + boundTicks * TICK;
    while (!runtime.freshAppliedBy(requiredForLiveness())) {
      if (now > deadline) {
        throw new SafetyViolation(
            "liveness: no fresh entry committed and applied on all "
                + requiredForLiveness()
                + " members within "
                + boundTicks
                + " ticks after healing; "
                + members);
      }
      step();
    }
    livenessTicks = (now - healedAt) / TICK;
  }

  /**
   * Adds a disruption phase after the liveness phase (thesis §4.2.3, disruptive servers): with
   * everything healed and no more faults, the leader removes a follower that it first cuts off,
   * so that member never learns of its removal and still believes it is a voter; it restarts
   * without PreVote (an older build, another setting) and is reconnected; the removed member then
   * times out and campaigns with ever higher terms for {@link #DISRUPTION_TICKS} ticks while the
   * client keeps proposing. {@link #disruption()} reports what it did to the cluster. With {@code
   * leaseRule} false the members of the new configuration run with the rule switched off ({@code
   * BrokenProtocol.Variant.IGNORE_LEADER_LEASE}) during that phase, for the contrast. Every safety
   * invariant is still checked after every event. Without this call a run is unchanged.
   */
  public Simulation withDisruptiveMember(boolean leaseRule) {
    this.disruptionLeaseRule = leaseRule;
    return this;
  }

  /** The disruption phase's measurements, or null if it did not run. */
  public Disruption disruption() {
    return disruption;
  }

  private void runDisruption() {
    SimMember leader = newestLeader();
    if (leader == null) {
      throw new IllegalStateException("disruption phase: no leader after the liveness phase");
    }
    List<SimMember> followers = new ArrayList<>();
    for (SimMember m : members) {
      if (m != leader && leader.machine.configuration().isVoter(m.id())) {
        followers.add(m);
      }
    }
    SimMember removed = followers.get(random.nextInt(followers.size()));
    noteFault("disruption phase (lease rule " + (disruptionLeaseRule ? "on" : "OFF")
        + "): cut off and remove " + removed.id());
    network.isolate(removed.index());
    changeMembership(leader, removed, false);
    List<SimMember> remaining = new ArrayList<>(followers);
    remaining.remove(removed);
    remaining.add(leader);
    // As the liveness bound: the removal entry waits behind the backlog of the remaining members
    // (with entriesPerAppendMax 1 and one append in flight, a backlog of hundreds of entries).
    long removalIndex = leader.machine.lastIndex();
    long lowestCommit = removalIndex;
    for (SimMember m : remaining) {
      lowestCommit = Math.min(lowestCommit, m.commitIndex());
    }
    long boundTicks = LIVENESS_TICKS + 2L * LIVENESS_TICKS_PER_BACKLOG_ENTRY
        * (removalIndex - lowestCommit);
    long deadline = now + boundTicks * TICK;
    while (!removedEverywhere(leader, removed, remaining)) {
      if (now > deadline || leader.machine == null || leader.role() != Role.LEADER) {
        throw new SafetyViolation("liveness: disruption phase: " + leader.id() + " did not"
            + " commit the removal of " + removed.id() + " (index " + removalIndex + ", lowest"
            + " commit " + lowestCommit + ") within " + boundTicks + " ticks; " + members);
      }
      step();
    }
    disruptor = removed;
    disruptorConfig = new RaftConfig(config.electionTimeoutTicks(),
        config.heartbeatIntervalTicks(), config.entriesPerAppendMax(), config.appendBytesMax(),
        config.inflightAppendsMax(), config.uncommittedBytesMax(), false, config.checkQuorum(),
        config.appendLingerBytes()).validate();
    shutDown(removed);
    restart(removed); // without PreVote; its log still makes it a voter of the old configuration
    if (!disruptionLeaseRule) {
      for (SimMember m : remaining) {
        BrokenProtocol.enable(m.machine, BrokenProtocol.Variant.IGNORE_LEADER_LEASE);
      }
    }
    long termBefore = leader.term();
    long electionsBefore = 0;
    for (SimMember m : remaining) {
      electionsBefore += m.machine.electionsStarted();
    }
    network.heal();
    noteFault("disruption phase: " + removed.id() + " reconnected without PreVote, "
        + removed.machine.configuration());
    long end = now + (long) DISRUPTION_TICKS * TICK;
    while (now < end) {
      step();
    }
    long electionsAfter = 0;
    long termAfter = 0;
    for (SimMember m : remaining) {
      electionsAfter += m.machine.electionsStarted();
      termAfter = Math.max(termAfter, m.term());
    }
    boolean kept = leader.alive() && leader.role() == Role.LEADER && leader.term() == termBefore;
    disruption = new Disruption(removed.id().value(), remaining.size() + 1,
        removed.machine.electionsStarted(), electionsAfter - electionsBefore, termBefore,
        termAfter, kept);
    noteFault("disruption phase: " + disruption);
  }

  /** The removal committed on the leader and reached every remaining member's log. */
  private static boolean removedEverywhere(
      SimMember leader, SimMember removed, List<SimMember> remaining) {
    if (leader.machine == null
        || leader.machine.membershipChangeInProgress()
        || leader.machine.configuration().isVoter(removed.id())) {
      return false;
    }
    for (SimMember m : remaining) {
      if (m.machine == null || m.machine.configuration().isVoter(removed.id())) {
        return false;
      }
    }
    return true;
  }

  /** The alive leader of the highest term, or null. */
  private SimMember newestLeader() {
    SimMember newest = null;
    for (SimMember m : members) {
      if (m.alive()
          && m.role() == Role.LEADER
          && (newest == null || m.term() > newest.term())) {
        newest = m;
      }
    }
    return newest;
  }

  /**
   * The members a fresh entry must reach: those of the configuration of the newest leader
   * (removed members no longer receive the log), or everyone while no leader is known.
   */
  private Set<MemberId> requiredForLiveness() {
    SimMember newest = newestLeader();
    Set<MemberId> all = new java.util.TreeSet<>();
    if (newest == null) {
      for (SimMember m : members) {
        all.add(m.id());
      }
      return all;
    }
    all.addAll(newest.machine.configuration().members());
    return all;
  }

  private void step() {
    Scheduled s = queue.poll();
    now = s.time();
    eventNumber++;
    trace(s.event());
    traceHash = Hashing.combine(traceHash, now);
    handle(s.event());
    faults.afterEvent();
    collectChangeOutcomes();
    checker.afterEvent(members);
    for (SimMember m : members) {
      long state =
          m.alive()
              ? Hashing.combine(Hashing.combine(m.role().ordinal(), m.term()), m.commitIndex())
              : -1;
      traceHash = Hashing.combine(Hashing.combine(traceHash, state), m.store.lastIndex());
    }
  }

  private void handle(SimEvent event) {
    if (event instanceof SimEvent.Tick t) {
      onTick(t);
    } else if (event instanceof SimEvent.Deliver d) {
      onDeliver(d);
    } else if (event instanceof SimEvent.Propose) {
      onPropose();
    } else if (event instanceof SimEvent.Fault) {
      faults.inject();
    } else if (event instanceof SimEvent.DiskRun d) {
      runtime.onDiskRun(d);
    } else if (event instanceof SimEvent.Restart r) {
      if (!members.get(r.member()).alive()) {
        restart(members.get(r.member()));
      }
    } else if (event instanceof SimEvent.Compact) {
      schedule(snapshots.nextCompactDelay(), event);
      snapshots.onCompact();
    } else if (event instanceof SimEvent.InstallSnapshot i) {
      snapshots.onInstall(i);
    } else if (event instanceof SimEvent.PeerLost p) {
      SimMember m = members.get(p.member());
      if (m.alive() && m.incarnation == p.incarnation()) {
        m.machine.peerUnreachable(members.get(p.lost()).id());
        runtime.process(m);
      }
    }
  }

  private void onTick(SimEvent.Tick t) {
    SimMember m = members.get(t.member());
    if (!m.alive() || m.incarnation != t.incarnation()) {
      return;
    }
    traceHash = Hashing.combine(traceHash, 1 + 31L * t.member());
    schedule(TICK, t);
    m.machine.tick();
    runtime.process(m);
  }

  private void onDeliver(SimEvent.Deliver d) {
    SimMember to = members.get(d.to());
    if (!to.alive() || !network.connected(d.from(), d.to())) {
      return;
    }
    traceHash = Hashing.combine(traceHash, MessageDigest.of(d.envelope().message()) + d.to());
    to.machine.step(d.envelope().message());
    runtime.process(to);
  }

  /** The client: proposes 1–3 unique payloads to a member that believes it leads (or any). */
  private void onPropose() {
    schedule(1 + random.nextInt(30), new SimEvent.Propose());
    List<SimMember> leaders = new ArrayList<>();
    List<SimMember> alive = new ArrayList<>();
    for (SimMember m : members) {
      if (m.alive()) {
        alive.add(m);
        if (m.role() == Role.LEADER) {
          leaders.add(m);
        }
      }
    }
    List<SimMember> candidates = leaders.isEmpty() ? alive : leaders;
    if (candidates.isEmpty()) {
      return;
    }
    SimMember target = candidates.get(random.nextInt(candidates.size()));
    List<byte[]> payloads = new ArrayList<>();
    int count = 1 + random.nextInt(3);
    for (int i = 0; i < count; i++) {
      payloads.add(payload());
    }
    String outcome;
    try {
      long first = target.machine.propose(payloads);
      outcome = "accepted at " + first;
    } catch (NotLeaderException | ProposalRejectedException e) {
      outcome = e.getClass().getSimpleName();
    }
    traceHash = Hashing.combine(traceHash, Hashing.string(outcome));
    note("propose " + count + " to " + target.id() + ": " + outcome);
    runtime.process(target);
  }

  private byte[] payload() {
    long counter = ++proposalCounter;
    byte[] payload = new byte[9 + random.nextInt(24)];
    random.nextBytes(payload);
    // First byte marks entries proposed after healing: the liveness phase waits for one of them.
    payload[0] = (byte) (livenessPhase ? 1 : 0);
    for (int i = 0; i < 8; i++) {
      payload[1 + i] = (byte) (counter >>> (8 * i));
    }
    return payload;
  }

  /**
   * A clean stop as the runtime's close does it: queued writes become durable, then the machine's
   * hard state (its commit hint capped at what is durable) is saved if it changed.
   */
  void shutDown(SimMember m) {
    m.crashAt = null;
    m.driver.shutDown();
    noteFault("shut down " + m.id() + " cleanly with " + m.meta.load());
    crash(m);
  }

  void crash(SimMember m) {
    m.machine = null;
    m.driver = null;
    m.incarnation++;
    m.crashAt = null;
    int changed = m.store.crash(random);
    noteFault(
        "crash "
            + m.id()
            + ": un-synced entries lost/restored "
            + changed
            + ", durable log "
            + m.store.lastIndex()
            + ", hard state "
            + m.meta.load());
    traceHash = Hashing.combine(traceHash, 7_000 + m.index() + 31L * changed);
    // Its connections close: the members connected to it notice soon after.
    for (SimMember other : members) {
      if (other != m && other.alive() && network.connected(m.index(), other.index())) {
        schedule(1 + random.nextInt(TICK),
            new SimEvent.PeerLost(other.index(), other.incarnation, m.index()));
      }
    }
  }

  void restart(SimMember m) {
    if (broken != null) {
      broken.beforeRestart(m.meta);
    }
    HardState durable = m.meta.load();
    snapshots.beforeRestart(m, durable.commitIndex());
    long durableLastIndex = m.store.lastIndex();
    // A spare joins: it starts with an empty configuration and waits for the leader (§4.2.1).
    Set<MemberId> initial = voters.contains(m.id()) ? voters : Set.of();
    m.initialConfiguration = Configuration.ofVoters(initial);
    m.machine =
        new RaftMachine(
            m == disruptor ? disruptorConfig : config,
            m.id(),
            initial,
            m.store,
            durable,
            new SplittableRandom(random.nextLong()),
            snapshots.localMeta(m), RaftLogging.slf4j());
    if (broken != null) {
      broken.breakMachine(m.machine);
    }
    m.driver = runtime.create(m);
    snapshots.onRestart(m);
    noteFault(
        "start "
            + m.id()
            + " from "
            + durable
            + ", log "
            + durableLastIndex
            + ", applied "
            + m.stateMachine.lastAppliedIndex()
            + " -> "
            + m);
    checker.onRestart(m, durable, durableLastIndex);
    schedule(1 + random.nextInt(TICK), new SimEvent.Tick(m.index(), m.incarnation));
    runtime.process(m);
  }

  void transferLeadership(SimMember leader, SimMember target) {
    String outcome = "started";
    try {
      leader.machine.transferLeadership(target.id());
    } catch (MembershipChangeException refused) {
      outcome = "refused " + refused.reason();
    }
    noteFault("transfer leadership " + leader.id() + " -> " + target.id() + ": " + outcome);
    runtime.process(leader);
  }

  SimSnapshots snapshots() {
    return snapshots;
  }

  /** Snapshot installs and compactions so far (for tests). */
  public int snapshotInstalls() {
    return snapshots.installs();
  }

  public int compactions() {
    return snapshots.compactions();
  }

  void drain(SimMember m) {
    runtime.process(m);
  }

  /** See {@link SimRuntime#awaitWrites}: false if the member crashed meanwhile. */
  boolean awaitWrites(SimMember m) {
    return runtime.awaitWrites(m);
  }

  /** Virtual time. */
  long now() {
    return now;
  }

  /** A crash outside a Ready (e.g. in the middle of a snapshot install); restarts later. */
  void crashAndRestartLater(SimMember m) {
    crash(m);
    faults.afterArmedCrash(m);
  }

  /**
   * An operator's membership change on the leader (thesis §4.1): add {@code target} (as a learner,
   * then promoted after catch-up) or remove it (the leader itself included, §4.2.2). Refusals
   * (one change at a time, last voter, no live majority) are expected and noted.
   */
  void changeMembership(SimMember leader, SimMember target, boolean add) {
    long requestId = ++changeRequests;
    String outcome = "started #" + requestId;
    try {
      if (add) {
        leader.machine.addMember(requestId, target.id());
      } else {
        leader.machine.removeMember(requestId, target.id());
      }
    } catch (MembershipChangeException refused) {
      outcome = "refused " + refused.reason();
    }
    traceHash = Hashing.combine(traceHash, Hashing.string(outcome));
    noteFault(
        (add ? "add " : "remove ")
            + target.id()
            + " on "
            + leader.id()
            + " "
            + leader.machine.configuration()
            + ": "
            + outcome);
    runtime.process(leader);
  }

  private void collectChangeOutcomes() {
    for (SimMember m : members) {
      if (m.alive()) {
        for (ChangeOutcome o : m.machine.takeChangeOutcomes()) {
          if (o.succeeded()) {
            membershipChangesDone++;
          }
          String text =
              o.succeeded()
                  ? "done " + canonical(o.membership())
                  : "failed " + o.error().reason() + ": " + o.error().getMessage();
          traceHash = Hashing.combine(traceHash, Hashing.string(text));
          noteFault("change #" + o.requestId() + " on " + m.id() + " " + text);
        }
      }
    }
  }

  /**
   * Membership's sets come from Set.copyOf, whose iteration order differs between JVMs: hash a
   * sorted form so the same seed gives the same trace hash in every JVM.
   */
  private static String canonical(Membership m) {
    return "Membership[index=" + m.index() + ", voters=" + sorted(m.voters()) + ", learners="
        + sorted(m.learners()) + "]";
  }

  private static List<String> sorted(Set<MemberId> ids) {
    return ids.stream().map(MemberId::value).sorted().collect(Collectors.toList());
  }

  void schedule(long delay, SimEvent event) {
    queue.add(new Scheduled(now + delay, sequence++, event));
  }

  List<SimMember> members() {
    return members;
  }

  /** Called by the FaultInjector when a member armed to crash inside a Ready did so. */
  void afterArmedCrash(SimMember m) {
    faults.afterArmedCrash(m);
  }

  boolean livenessPhase() {
    return livenessPhase;
  }

  void note(String text) {
    addTrace("  " + now + " " + text);
  }

  /** A note that is also kept in the longer fault history. */
  void noteFault(String text) {
    note(text);
    if (faultTail.size() == TRACE_TAIL) {
      faultTail.removeFirst();
    }
    faultTail.addLast("  #" + eventNumber + " @" + now + " " + text);
  }

  /** Formatted only if the run fails: most events are never printed. */
  private record TraceLine(long eventNumber, long time, SimEvent event) {
    @Override
    public String toString() {
      return "#" + eventNumber + " @" + time + " " + event;
    }
  }

  private void trace(SimEvent event) {
    addTrace(new TraceLine(eventNumber, now, event));
  }

  private void addTrace(Object line) {
    if (traceTail.size() == TRACE_TAIL) {
      traceTail.removeFirst();
    }
    traceTail.addLast(line);
  }

  private String traceTail() {
    StringBuilder sb = new StringBuilder("faults, crashes and restarts:\n");
    for (String line : faultTail) {
      sb.append(line).append('\n');
    }
    sb.append("last events:\n");
    for (Object line : traceTail) {
      sb.append(line).append('\n');
    }
    for (SimMember m : members) {
      String state;
      try {
        state = m.toString();
      } catch (RuntimeException | AssertionError e) {
        state = m.id() + " {state unreadable: " + e + "}";
      }
      sb.append("  state ").append(state).append('\n');
    }
    return sb.append("  network ").append(network.describe()).toString();
  }
}
