package io.graft.it.process;

import io.graft.cluster.FaultProxy;
import io.graft.cluster.LocalCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Shows that each fault {@link ProcessNemesis} injects really took effect, instead of trusting
 * the call that injected it: a killed member's process is gone, a paused one is stopped
 * ({@code T} in {@code /proc/<pid>/stat}) from injection to undo, and a partition stopped the
 * bytes on every link it cut (the {@link FaultProxy}'s per-link counters stand still while a
 * link the fault spared keeps flowing) and the member it cut off lost its leader
 * ({@code raft.status()} names none: a cut-off leader deposed by CheckQuorum, thesis §6.2, a
 * cut-off follower that stopped hearing heartbeats, §5.2). Checked just before the fault is
 * undone, so the fault is held until its effect is seen (bounded). Every check's outcome goes
 * into the schedule; {@link #failures()} lists the faults whose effect was not seen.
 */
final class FaultEvidence {
  /** How long a partition may take to show: an election timeout or two, on busy cores. */
  private static final Duration SHOW_BOUND = Duration.ofSeconds(20);

  /**
   * What a fault did: the members it stopped or killed, the directed links it cut, the member
   * it cut off (0 = none), and a link it spared (0, 0 = none).
   */
  record Footprint(List<Integer> stopped, List<Integer> killed, List<FaultProxy.Link> cut,
      int cutOff, FaultProxy.Link spared) {
    static Footprint killed(int member) {
      return new Footprint(List.of(), List.of(member), List.of(), 0, null);
    }

    static Footprint paused(int member) {
      return new Footprint(List.of(member), List.of(), List.of(), 0, null);
    }

    /** Both directions of every pair {@code member <-> other}, cutting {@code member} off. */
    static Footprint cutOff(int member, List<Integer> from, FaultProxy.Link spared) {
      List<FaultProxy.Link> links = new ArrayList<>();
      for (int other : from) {
        links.add(new FaultProxy.Link(member, other));
        links.add(new FaultProxy.Link(other, member));
      }
      return new Footprint(List.of(), List.of(), links, member, spared);
    }
  }

  private final LocalCluster cluster;
  private final List<String> failures = new ArrayList<>();

  FaultEvidence(LocalCluster cluster) {
    this.cluster = cluster;
  }

  synchronized void reset() {
    failures.clear();
  }

  /** The faults whose effect was not seen, with what was seen instead. */
  synchronized List<String> failures() {
    return List.copyOf(failures);
  }

  /** Right after injection: the process gone or stopped, the cut links' connections closed. */
  String afterInject(FaultKind kind, Footprint f) {
    List<String> seen = new ArrayList<>();
    processes(kind, f, seen);
    // A connection accepted just as the cut came is closed by its acceptor a moment later.
    long deadline = System.nanoTime() + SHOW_BOUND.toNanos();
    List<FaultProxy.Link> open = openCutLinks(f);
    while (!open.isEmpty() && System.nanoTime() < deadline) {
      ProcessFixtures.pause(Duration.ofMillis(50));
      open = openCutLinks(f);
    }
    check(kind, open.isEmpty(), "connections still open on cut links " + open,
        f.cut().isEmpty() ? null : "no connection open on the " + f.cut().size() + " cut links",
        seen);
    return String.join("; ", seen);
  }

  private List<FaultProxy.Link> openCutLinks(Footprint f) {
    List<FaultProxy.Link> open = new ArrayList<>(cluster.proxy().openLinks());
    open.retainAll(f.cut());
    return open;
  }

  /**
   * Just before the undo: still gone or stopped; a partition's cut-off member leaderless and its
   * links silent while a spared link flows.
   */
  String beforeUndo(FaultKind kind, Footprint f) {
    List<String> seen = new ArrayList<>();
    processes(kind, f, seen);
    if (f.cutOff() > 0) {
      lostItsLeader(kind, f.cutOff(), seen);
      silentLinks(kind, f, seen);
    }
    return String.join("; ", seen);
  }

  private void processes(FaultKind kind, Footprint f, List<String> seen) {
    for (int m : f.killed()) {
      check(kind, !cluster.server(m).isAlive(), "member-" + m + "'s process is still alive",
          "member-" + m + "'s process is gone", seen);
    }
    for (int m : f.stopped()) {
      char state = cluster.server(m).procState();
      check(kind, state == 'T', "member-" + m + " is in state " + state + ", not T (stopped)",
          "member-" + m + " is stopped (state T in /proc/" + cluster.pid(m) + "/stat)", seen);
    }
  }

  private void lostItsLeader(FaultKind kind, int member, List<String> seen) {
    long began = System.nanoTime();
    long deadline = began + SHOW_BOUND.toNanos();
    Optional<Map<String, Object>> row = Optional.empty();
    while (System.nanoTime() < deadline) {
      row = cluster.probe().status(member);
      if (row.isPresent() && row.get().get("leaderId") == null) {
        seen.add("member-" + member + " cut off: no leader (" + row.get().get("role") + " in term "
            + row.get().get("term") + ") after " + millisSince(began) + " ms of checking");
        return;
      }
      ProcessFixtures.pause(Duration.ofMillis(100));
    }
    fail(kind, "member-" + member + " was cut off but still named a leader after "
        + SHOW_BOUND.toSeconds() + " s: " + row.orElse(Map.of()), seen);
  }

  /**
   * The cut links' byte counters must stand still across a window in which the spared link
   * carries traffic (heartbeats every 100 ms): the counters are alive, and the cut links silent.
   */
  private void silentLinks(FaultKind kind, Footprint f, List<String> seen) {
    FaultProxy proxy = cluster.proxy();
    long cutBefore = cutBytes(proxy, f);
    long sparedBefore = sparedBytes(proxy, f.spared());
    long deadline = System.nanoTime() + SHOW_BOUND.toNanos();
    while (sparedBytes(proxy, f.spared()) <= sparedBefore && System.nanoTime() < deadline) {
      ProcessFixtures.pause(Duration.ofMillis(100));
    }
    long sparedAfter = sparedBytes(proxy, f.spared());
    long cutAfter = cutBytes(proxy, f);
    check(kind, sparedAfter > sparedBefore, "the spared link " + f.spared() + " carried nothing in "
        + SHOW_BOUND.toSeconds() + " s: the counters prove nothing", null, seen);
    check(kind, cutAfter == cutBefore, (cutAfter - cutBefore) + " bytes crossed the cut links "
        + f.cut(), "0 bytes on the " + f.cut().size() + " cut links while " + (sparedAfter
        - sparedBefore) + " bytes flowed on " + f.spared(), seen);
  }

  /** The cut links plus connections from unidentified initiators into the cut-off member. */
  private static long cutBytes(FaultProxy proxy, Footprint f) {
    long sum = proxy.bytesForwarded(0, f.cutOff());
    for (FaultProxy.Link link : f.cut()) {
      sum += proxy.bytesForwarded(link.from(), link.to());
    }
    return sum;
  }

  private static long sparedBytes(FaultProxy proxy, FaultProxy.Link spared) {
    return proxy.bytesForwarded(spared.from(), spared.to())
        + proxy.bytesForwarded(spared.to(), spared.from());
  }

  private void check(FaultKind kind, boolean ok, String failure, String success,
      List<String> seen) {
    if (!ok) {
      fail(kind, failure, seen);
    } else if (success != null) {
      seen.add(success);
    }
  }

  private void fail(FaultKind kind, String failure, List<String> seen) {
    synchronized (this) {
      failures.add(kind.cliName() + ": " + failure);
    }
    seen.add("NOT SEEN: " + failure);
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }
}
