package io.graft.it.process;

import java.util.Locale;

/**
 * The faults {@link ProcessNemesis} injects into a real 3-server graft cluster. Each is undone by
 * the next strike or by the final heal; the leader is whoever {@code raft.status()} names when
 * the fault starts.
 */
enum FaultKind {
  /** kill -9 of the leader; undone by a restart (crash-recovery from its own disk, §5.1). */
  KILL_LEADER(true),
  /** SIGSTOP of the leader (a GC-pause model): it wakes up deposed, §5.2/§6.2 stale leader. */
  PAUSE_LEADER(true),
  /** SIGSTOP of a follower: the leader keeps a majority; the follower catches up (§5.3). */
  PAUSE_FOLLOWER(false),
  /** Every Raft link to and from the leader cut: it must step down (CheckQuorum, thesis §6.2). */
  ISOLATE_LEADER(true),
  /**
   * Majority/minority split with the leader in the majority: one follower alone, its links to
   * both others cut. PreVote (thesis §9.6) keeps it from disturbing the majority on heal.
   */
  ISOLATE_FOLLOWER(false),
  /**
   * A partial partition: only the link between the leader and one follower is cut; the third
   * member still reaches both. The cut follower hears no heartbeats, but its pre-votes must be
   * refused by the member that does (thesis §9.6), so the leader stays.
   */
  CUT_LEADER_LINK(false);

  private final boolean targetsLeader;

  FaultKind(boolean targetsLeader) {
    this.targetsLeader = targetsLeader;
  }

  /** True when the fault must end in an election among the other members. */
  boolean targetsLeader() {
    return targetsLeader;
  }

  /** The command-line spelling, e.g. {@code pause-leader}. */
  String cliName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Parses {@link #cliName()} or the enum name. */
  static FaultKind parse(String text) {
    String norm = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (FaultKind kind : values()) {
      if (kind.name().equals(norm)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("unknown fault kind '" + text + "'; known: "
        + FaultPlan.allNames() + ", or mixed");
  }
}
