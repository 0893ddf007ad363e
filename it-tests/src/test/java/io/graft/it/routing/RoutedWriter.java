package io.graft.it.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
import org.neo4j.driver.Values;

/**
 * Writes {@code (:Routed {seq})} one managed transaction at a time through a {@code neo4j://}
 * driver, so the driver alone decides where writes go (graft's routing table, refreshed on
 * NotALeader or a dead writer). A sequence number is acknowledged only when {@code executeWrite}
 * returned; a failed one may or may not have committed, so checks are "every acknowledged write
 * is present".
 */
final class RoutedWriter implements AutoCloseable {
  private final Driver driver;
  private final List<Long> acked = new ArrayList<>();
  private final List<String> errors = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Long> ackNanos = new ArrayList<>();
  private final ExecutorService executor = Executors.newSingleThreadExecutor();
  private Future<?> loop;

  RoutedWriter(Driver driver) {
    this.driver = driver;
  }

  RoutedWriter start() {
    loop = executor.submit(this::run);
    return this;
  }

  synchronized List<Long> acked() {
    return new ArrayList<>(acked);
  }

  synchronized int ackedCount() {
    return acked.size();
  }

  synchronized List<String> errors() {
    return new ArrayList<>(errors);
  }

  /** When the first write acknowledged after {@code nanos} was acknowledged, or -1. */
  synchronized long firstAckAfter(long nanos) {
    return ackNanos.stream().filter(t -> t > nanos).findFirst().orElse(-1L);
  }

  private void run() {
    long seq = 0;
    while (running.get()) {
      seq++;
      long s = seq;
      try (Session session = driver.session(SessionConfig.forDatabase("neo4j"))) {
        session.executeWrite(tx -> tx.run("CREATE (:Routed {seq: $seq})",
            Values.parameters("seq", s)).consume());
        synchronized (this) {
          acked.add(s);
          ackNanos.add(System.nanoTime());
        }
      } catch (RuntimeException e) {
        synchronized (this) {
          errors.add(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
      }
    }
  }

  void stop() throws Exception {
    running.set(false);
    if (loop != null) {
      loop.get(90, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() {
    running.set(false);
    executor.shutdownNow();
    try {
      executor.awaitTermination(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
