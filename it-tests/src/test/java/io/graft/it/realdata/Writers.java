package io.graft.it.realdata;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.neo4j.driver.AccessMode;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
import org.neo4j.driver.Values;

/**
 * {@code clients} threads, each writing {@code (:<label> {k, client, seq})} one transaction at a
 * time (seq 0, 1, 2, ... per client) until stopped. A write is acknowledged when its transaction
 * returned; MERGE on the unique key {@code k} keeps a retried write from creating a second node,
 * and a retry that finds the node commits nothing, so every transaction of the workload creates
 * exactly one :W node. Each client's writes commit in seq order, so any committed prefix of the
 * log holds a prefix of each client's writes.
 */
final class Writers implements AutoCloseable {
  /** One acknowledged write. */
  record Ack(int client, long seq, long nanos) {}

  private final Driver driver;
  private final int clients;
  private final String label;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
  private final AtomicLong attempted = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();

  /** @param label the label of the written nodes (one per workload, so counts stay apart) */
  Writers(Driver driver, int clients, String label) {
    this.driver = driver;
    this.clients = clients;
    this.label = label;
  }

  /** Key of write {@code seq} of {@code client}. */
  static long key(int client, long seq) {
    return client * 10_000_000L + seq;
  }

  Writers start() {
    for (int c = 0; c < clients; c++) {
      int client = c;
      Thread t = new Thread(() -> run(client), "writer-" + c);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    return this;
  }

  private void run(int client) {
    long seq = 0;
    while (running.get()) {
      long s = seq;
      attempted.incrementAndGet();
      try (Session session = driver.session(
          SessionConfig.builder().withDatabase("neo4j").withDefaultAccessMode(AccessMode.WRITE)
              .build())) {
        session.executeWrite(tx -> tx.run("MERGE (w:" + label + " {k: $k}) ON CREATE SET"
            + " w.client = $c, w.seq = $s", Values.parameters("k", key(client, s), "c", client,
            "s", s)).consume());
        acks.add(new Ack(client, s, System.nanoTime()));
        seq++;
      } catch (RuntimeException e) {
        // Unknown outcome: the same seq is written again (MERGE makes it idempotent).
        errors.add(e.getClass().getSimpleName() + ": " + e.getMessage());
        if (errors.size() > 10_000) {
          errors.poll();
        }
      }
    }
  }

  /** Stops every client (each finishes or abandons its current write) and waits for them. */
  void stop() {
    running.set(false);
    for (Thread t : threads) {
      try {
        t.join(120_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  List<Ack> acks() {
    return new ArrayList<>(acks);
  }

  int ackCount() {
    return acks.size();
  }

  List<String> errors() {
    return new ArrayList<>(errors);
  }

  @Override
  public void close() {
    stop();
  }
}
