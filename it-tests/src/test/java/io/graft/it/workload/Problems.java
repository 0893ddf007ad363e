package io.graft.it.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread-safe collector of violated checks. Keeps the first {@value #KEEP} messages verbatim and
 * counts the rest, so a run that goes badly wrong still produces a readable report.
 */
final class Problems {

  private static final int KEEP = 50;

  private final ConcurrentLinkedQueue<String> kept = new ConcurrentLinkedQueue<>();
  private final AtomicInteger count = new AtomicInteger();

  void add(String problem) {
    if (count.incrementAndGet() <= KEEP) {
      kept.add(problem);
    }
  }

  /** Adds {@code problem} when {@code violated}; returns {@code violated}. */
  boolean check(boolean violated, String problem) {
    if (violated) {
      add(problem);
    }
    return violated;
  }

  List<String> list() {
    List<String> out = new ArrayList<>(kept);
    int dropped = count.get() - out.size();
    if (dropped > 0) {
      out.add("... and " + dropped + " more problems");
    }
    return out;
  }
}
