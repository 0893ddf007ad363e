package io.graft.it.faults;

import io.graft.it.workload.Nemesis;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A nemesis that plays a fixed script: each strike runs the next {@link Step} (inject a fault,
 * undo one, change the membership...), which waits (bounded) for its own effect before it
 * returns, so the script's order is the order things happened in. {@link #finished()} holds once
 * every step ran; {@link #heal()} runs the script's heal. Each step may record named instants
 * ({@link #mark}) that the test then compares with the workload's history (e.g. "acknowledged
 * writes invoked after the leader moved and returned before the client's link healed"), and
 * problems ({@link #problem}) that fail the test: a fault whose effect was not seen proves
 * nothing.
 */
final class ScriptedNemesis implements Nemesis {
  /** One scripted action; returns what it did and saw, for the schedule. */
  @FunctionalInterface
  interface Step {
    String run(ScriptedNemesis script) throws Exception;
  }

  private final String name;
  private final List<Map.Entry<String, Step>> steps = new ArrayList<>();
  private final Step heal;
  private final Consumer<String> log;
  private final Map<String, Long> marks = Collections.synchronizedMap(new LinkedHashMap<>());
  private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
  private final List<String> schedule = Collections.synchronizedList(new ArrayList<>());
  private int next;
  private volatile boolean finished;

  ScriptedNemesis(String name, Step heal, Consumer<String> log) {
    this.name = name;
    this.heal = heal;
    this.log = log;
  }

  /** Appends a step to the script. */
  ScriptedNemesis then(String label, Step step) {
    steps.add(Map.entry(label, step));
    return this;
  }

  @Override
  public synchronized String strike(Random rnd) throws Exception {
    if (next >= steps.size()) {
      return "none (script done)";
    }
    Map.Entry<String, Step> step = steps.get(next++);
    mark(step.getKey() + ":start");
    String what;
    try {
      what = step.getKey() + ": " + step.getValue().run(this);
    } catch (Exception | AssertionError e) {
      problem(step.getKey() + " failed: " + e);
      throw e instanceof Exception ex ? ex : new IllegalStateException(e);
    } finally {
      mark(step.getKey() + ":end");
      finished = next >= steps.size();
    }
    record(what);
    return what;
  }

  @Override
  public synchronized void heal() throws Exception {
    record("heal: " + heal.run(this));
  }

  @Override
  public boolean finished() {
    return finished;
  }

  /** Records {@code now} under {@code label} (System.nanoTime, as the workload histories). */
  void mark(String label) {
    marks.put(label, System.nanoTime());
  }

  /** The instant recorded under {@code label}; fails if the script never got there. */
  long at(String label) {
    Long t = marks.get(label);
    if (t == null) {
      throw new AssertionError(name + ": no mark '" + label + "'; marks: " + marks.keySet()
          + "; schedule: " + schedule);
    }
    return t;
  }

  /** A check of the script that failed (e.g. a fault whose effect was not seen). */
  void problem(String what) {
    problems.add(what);
    log.accept("PROBLEM " + what);
  }

  /** Checks {@code ok}, recording {@code failure} as a problem if it does not hold. */
  boolean check(boolean ok, String failure) {
    if (!ok) {
      problem(failure);
    }
    return ok;
  }

  List<String> problems() {
    return List.copyOf(problems);
  }

  List<String> schedule() {
    return List.copyOf(schedule);
  }

  private void record(String what) {
    String line = "t=" + System.currentTimeMillis() + " " + what;
    schedule.add(line);
    log.accept(line);
  }

  @Override
  public String toString() {
    List<String> labels = new ArrayList<>();
    steps.forEach(s -> labels.add(s.getKey()));
    return name + " " + labels;
  }
}
