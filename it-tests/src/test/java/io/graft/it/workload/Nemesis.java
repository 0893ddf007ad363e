package io.graft.it.workload;

import java.util.Random;

/**
 * A fault injector (Jepsen's term). A workload calls {@link #strike} at points where a fault is
 * interesting (periodically, or while a large transaction is in flight) and {@link #heal} before
 * its final checks. Implementations for real server processes kill -9 or pause the leader, or cut
 * Raft links; on a single stock server there is nothing to break.
 */
public interface Nemesis {

  /** Does nothing; for clusters without fault hooks. */
  Nemesis NONE = new Nemesis() {
    @Override
    public String strike(Random rnd) {
      return "none";
    }

    @Override
    public void heal() {
    }
  };

  /**
   * True once every fault this nemesis planned for the run has been injected AND undone. A
   * workload on a nemesis that has a plan runs until this holds (plus a tail of load), never for
   * a fixed number of operations that might end before the first fault: a run that the fault
   * missed proves nothing. A nemesis without a plan ({@link #NONE}, {@link #of}) is always
   * finished, and its workloads run for their duration or operation budget.
   *
   * <p>Must not block: clients and the run's monitor poll it while a strike is in progress.
   */
  default boolean finished() {
    return true;
  }

  /**
   * The fault in force right now, for a history or a summary (e.g. whether a fault hit a batch
   * struck by someone else's schedule). Must not block.
   */
  default String inForce() {
    return "unknown";
  }

  /** What a strike does; may throw to report a broken fixture. */
  @FunctionalInterface
  interface Strike {
    String apply(Random rnd) throws Exception;
  }

  /** What a heal does. */
  @FunctionalInterface
  interface Heal {
    void run() throws Exception;
  }

  /**
   * A nemesis from two lambdas, e.g. over the {@code local-cluster} fixture:
   * {@code Nemesis.of(rnd -> { int l = c.awaitLeader(); c.kill9(l); return "kill -9 " + l; },
   * () -> { restart the killed members; c.awaitLeader(); })}.
   */
  static Nemesis of(Strike strike, Heal heal) {
    return new Nemesis() {
      @Override
      public String strike(Random rnd) throws Exception {
        return strike.apply(rnd);
      }

      @Override
      public void heal() throws Exception {
        heal.run();
      }
    };
  }

  /**
   * Injects one fault chosen with {@code rnd} and returns a short description for the history
   * (e.g. "kill -9 leader server-2").
   */
  String strike(Random rnd) throws Exception;

  /**
   * Restarts and reconnects whatever was broken and returns once the cluster serves writes again
   * (bounded by the implementation's own timeout).
   */
  void heal() throws Exception;
}
