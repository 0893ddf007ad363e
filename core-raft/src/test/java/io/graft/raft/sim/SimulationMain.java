package io.graft.raft.sim;

/**
 * Runs one simulation and prints its trace hash: {@code SimulationMain seed members events
 * [spares]} (spares: joining members, the membership simulation). Used
 * by {@link SimulationTest} to compare runs across JVM processes (per-JVM hash salts, identity hash
 * codes and the like only show up there), and handy for a profiler.
 */
public final class SimulationMain {
  private SimulationMain() {}

  public static void main(String[] args) {
    long seed = Long.parseLong(args[0]);
    int members = Integer.parseInt(args[1]);
    int events = Integer.parseInt(args[2]);
    int spares = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    Simulation.Result result = new Simulation(seed, members, spares, events).run();
    System.out.println("traceHash=" + result.traceHash());
  }
}
