package io.graft.raft.sim;

import io.graft.raft.api.Role;
import io.graft.raft.runtime.ReadyDriver;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Picks faults for the chaos phase: process crashes (now, or at a chosen point of the member's
 * runtime: before its messages leave, between its write and its fsync, between the fsync and the
 * acknowledgements, ...), restarts after a random downtime or at once (a supervisor restarting a
 * killed process), symmetric and asymmetric partitions, isolating the leader, isolating the next
 * leader the moment it is elected (before its first entry of the new term reaches anyone: the
 * short-lived leaders of the paper's Figure 8), the majority ring, flaky links (loss,
 * duplication) and healing; and leadership transfers, which race with all that.
 */
final class FaultInjector {
  private static final ReadyDriver.CrashPoint[] CRASH_POINTS = ReadyDriver.CrashPoint.values();

  private final Simulation simulation;
  private final SimNetwork network;
  private final RandomGenerator random;
  private boolean enabled = true;
  private int crashes;

  /** Armed: the next member to become leader in a term above this one is isolated at once. */
  private long isolateLeaderAbove = -1;

  /**
   * Armed: the first member seen (after an event) holding a durable vote for another member in its
   * current term is killed and restarted at once; right after an election, one of its voters.
   */
  private boolean crashNextVoter;

  /** Also add and remove members (thesis §4.1, §4.2.2) among the faults. */
  private final boolean membershipChanges;

  FaultInjector(
      Simulation simulation, SimNetwork network, RandomGenerator random, boolean membership) {
    this.simulation = simulation;
    this.network = network;
    this.random = random;
    this.membershipChanges = membership;
  }

  void disable() {
    enabled = false;
  }

  int crashes() {
    return crashes;
  }

  void inject() {
    if (!enabled) {
      return;
    }
    simulation.schedule(20 + random.nextInt(180), new SimEvent.Fault());
    List<SimMember> members = simulation.members();
    int size = members.size();
    int choice = random.nextInt(membershipChanges ? 19 : 15);
    switch (choice) {
      case 0, 1 -> crashNow(randomAlive(members));
      case 2, 3 -> armCrash(randomAlive(members));
      case 4 -> {
        boolean[] side = new boolean[size];
        for (int i = 0; i < size; i++) {
          side[i] = random.nextBoolean();
        }
        network.split(side);
      }
      case 5 -> network.isolate(leaderOrRandom(members));
      case 6 -> {
        int links = 1 + random.nextInt(size);
        for (int i = 0; i < links; i++) {
          network.blockOneWay(random.nextInt(size), random.nextInt(size));
        }
      }
      case 7 -> network.ring();
      case 8, 9 -> network.heal();
      case 10 -> network.setFlakiness(random.nextDouble() * 0.2, random.nextDouble() * 0.1);
      case 11 -> network.setFlakiness(0, 0);
      case 13 -> crashAndRestartAtOnce(randomAlive(members));
      case 14 -> {
        isolateLeaderAbove = highestTerm(members);
        crashNextVoter = true;
      }
      case 15, 16 -> changeMembership(members, true, false);
      case 17 -> changeMembership(members, false, false);
      case 18 -> changeMembership(members, false, true);
      default -> transferLeadership(members);
    }
    simulation.noteFault("fault " + choice + ": " + network.describe());
  }

  /**
   * After every event: if armed, isolates a member that has just become leader in a newer term
   * than any known when the fault was armed, before it handles anything else; and kills and
   * restarts a member that voted for another in its current term.
   */
  void afterEvent() {
    if (!enabled) {
      return;
    }
    for (SimMember m : simulation.members()) {
      if (isolateLeaderAbove >= 0 && m.alive() && m.role() == Role.LEADER
          && m.term() > isolateLeaderAbove) {
        isolateLeaderAbove = -1;
        network.isolate(m.index());
        simulation.noteFault("isolate " + m.id() + " as soon as it leads term " + m.term() + ": "
            + network.describe());
      }
      if (crashNextVoter && m.alive() && m.meta.load().term() == m.term()
          && m.meta.load().votedFor() != null && !m.meta.load().votedFor().equals(m.id())) {
        crashNextVoter = false;
        simulation.noteFault(m.id() + " voted for " + m.meta.load().votedFor() + " in term "
            + m.term() + ": kill it and restart it at once");
        crashAndRestartAtOnce(m);
      }
    }
  }

  private static long highestTerm(List<SimMember> members) {
    long highest = 0;
    for (SimMember m : members) {
      if (m.alive()) {
        highest = Math.max(highest, m.term());
      }
    }
    return highest;
  }

  /** Not a fault but an operator action that races with faults: hand leadership over (§3.10). */
  private void transferLeadership(List<SimMember> members) {
    for (SimMember m : members) {
      if (m.alive() && m.role() == Role.LEADER) {
        SimMember target = members.get(random.nextInt(members.size()));
        simulation.transferLeadership(m, target);
        return;
      }
    }
  }

  /**
   * On the current leader: add a member outside its configuration, remove a random member, or
   * remove the leader itself. Targets may be down: catch-up then gives up (§4.2.1).
   */
  private void changeMembership(List<SimMember> members, boolean add, boolean removeLeader) {
    SimMember leader = null;
    for (SimMember m : members) {
      if (m.alive() && m.role() == Role.LEADER) {
        leader = m;
      }
    }
    if (leader == null) {
      return;
    }
    var configuration = leader.machine.configuration();
    List<SimMember> targets = new ArrayList<>();
    for (SimMember m : members) {
      if (configuration.isMember(m.id()) != add) {
        targets.add(m);
      }
    }
    SimMember target =
        removeLeader ? leader : targets.isEmpty() ? null : targets.get(random.nextInt(targets.size()));
    if (target != null) {
      simulation.changeMembership(leader, target, add);
    }
  }

  private SimMember randomAlive(List<SimMember> members) {
    List<SimMember> alive = new ArrayList<>();
    for (SimMember m : members) {
      if (m.alive()) {
        alive.add(m);
      }
    }
    return alive.isEmpty() ? null : alive.get(random.nextInt(alive.size()));
  }

  private int leaderOrRandom(List<SimMember> members) {
    for (SimMember m : members) {
      if (m.alive() && m.role() == Role.LEADER) {
        return m.index();
      }
    }
    return random.nextInt(members.size());
  }

  private void crashNow(SimMember m) {
    if (m == null) {
      return;
    }
    crashes++;
    if (random.nextInt(4) == 0) {
      simulation.shutDown(m);
    } else {
      simulation.crash(m);
    }
    scheduleRestart(m);
  }

  /** kill -9 and an immediate restart (within two ticks), as by a process supervisor. */
  private void crashAndRestartAtOnce(SimMember m) {
    if (m == null) {
      return;
    }
    crashes++;
    simulation.crash(m);
    simulation.schedule(1 + random.nextInt(2 * Simulation.TICK), new SimEvent.Restart(m.index()));
  }

  private void armCrash(SimMember m) {
    if (m == null) {
      return;
    }
    m.crashAt = CRASH_POINTS[random.nextInt(CRASH_POINTS.length)];
    simulation.noteFault("armed crash of " + m.id() + " at " + m.crashAt);
  }

  /** Called by the simulation after an armed member crashed inside its Ready. */
  void afterArmedCrash(SimMember m) {
    crashes++;
    scheduleRestart(m);
  }

  private void scheduleRestart(SimMember m) {
    if (enabled) {
      simulation.schedule(20 + random.nextInt(400), new SimEvent.Restart(m.index()));
    }
  }
}
