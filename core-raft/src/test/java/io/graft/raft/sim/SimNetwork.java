package io.graft.raft.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The simulated network between members 0..n-1: per-link loss, duplication and random delay (so
 * messages reorder), plus partitions expressed as a matrix of blocked directed links. A message is
 * dropped if its link is blocked when it is sent or when it would be delivered.
 *
 * <p>All randomness comes from the simulation's one generator, passed in by the caller.
 */
public final class SimNetwork {
  private final int size;
  private final boolean[][] blocked;
  private double lossRate;
  private double duplicateRate;
  private int delayMin = 1;
  private int delayMax = 12;
  private double slowRate = 0.05;
  private int slowDelayMax = 60;

  public SimNetwork(int size) {
    this.size = size;
    this.blocked = new boolean[size][size];
  }

  /** Sets the flakiness of every link (loss and duplication probabilities). */
  public void setFlakiness(double lossRate, double duplicateRate) {
    this.lossRate = lossRate;
    this.duplicateRate = duplicateRate;
  }

  public void setDelays(int delayMin, int delayMax, double slowRate, int slowDelayMax) {
    this.delayMin = delayMin;
    this.delayMax = delayMax;
    this.slowRate = slowRate;
    this.slowDelayMax = slowDelayMax;
  }

  public boolean connected(int from, int to) {
    return from == to || !blocked[from][to];
  }

  /**
   * Delays (in virtual time units) for the copies of one message to deliver: empty if lost or
   * blocked, two entries if duplicated.
   */
  public List<Long> deliveryDelays(int from, int to, RandomGenerator random) {
    List<Long> delays = new ArrayList<>(2);
    if (!connected(from, to) || random.nextDouble() < lossRate) {
      return delays;
    }
    delays.add(delay(random));
    if (random.nextDouble() < duplicateRate) {
      delays.add(delay(random));
    }
    return delays;
  }

  /** Removes every partition (flakiness is reset separately by {@link #setFlakiness}). */
  public void heal() {
    for (boolean[] row : blocked) {
      java.util.Arrays.fill(row, false);
    }
  }

  /** Symmetric partition: members in {@code side} can talk only among themselves. */
  public void split(boolean[] side) {
    heal();
    for (int a = 0; a < size; a++) {
      for (int b = 0; b < size; b++) {
        blocked[a][b] = side[a] != side[b];
      }
    }
  }

  /** Cuts one member off from everyone, in both directions. */
  public void isolate(int member) {
    boolean[] side = new boolean[size];
    side[member] = true;
    split(side);
  }

  /**
   * Asymmetric fault: messages from {@code from} to {@code to} are lost, the reverse still flows.
   */
  public void blockOneWay(int from, int to) {
    if (from != to) {
      blocked[from][to] = true;
    }
  }

  /**
   * Majority ring: each member reaches only its two ring neighbours. With five members every member
   * sees a majority (itself and two) but no two non-neighbours share a link.
   */
  public void ring() {
    heal();
    for (int a = 0; a < size; a++) {
      for (int b = 0; b < size; b++) {
        int distance = Math.abs(a - b);
        blocked[a][b] = a != b && distance != 1 && distance != size - 1;
      }
    }
  }

  public String describe() {
    StringBuilder sb = new StringBuilder("links[");
    for (int a = 0; a < size; a++) {
      for (int b = 0; b < size; b++) {
        if (blocked[a][b]) {
          sb.append(a).append("-x>").append(b).append(' ');
        }
      }
    }
    return sb.append("] loss=").append(lossRate).append(" dup=").append(duplicateRate).toString();
  }

  private long delay(RandomGenerator random) {
    if (random.nextDouble() < slowRate) {
      return delayMin + random.nextInt(slowDelayMax);
    }
    return delayMin + random.nextInt(delayMax - delayMin + 1);
  }
}
