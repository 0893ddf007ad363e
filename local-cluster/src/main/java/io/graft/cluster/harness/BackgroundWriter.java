package io.graft.cluster.harness;

import io.graft.cluster.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes {@code (:<label> {seq})} one at a time on a thread of its own, remembering the sequence
 * numbers whose commit returned successfully. A failed write may or may not have committed (its
 * outcome is unknown to the client), so checks are "every acknowledged write is present", never
 * "nothing else is". Subclasses decide where a write goes: {@link AckedWriter} (to the leader,
 * looked up after a failure) and {@link RoutedWriter} (through a {@code neo4j://} driver).
 */
public abstract class BackgroundWriter implements AutoCloseable {
  /** One acknowledged write: its sequence number, the member that took it (or -1), when. */
  public record Ack(long seq, int member, long nanos) {}

  protected final String label;
  private final String name;
  private final List<Ack> acks = new ArrayList<>();
  private final List<String> errors = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final ExecutorService executor;
  private Future<?> loop;

  protected BackgroundWriter(String name, String label) {
    this.name = name;
    this.label = label;
    this.executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, name + "-" + label);
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Writes one node with {@code seq} and returns the member that took it (-1 if not known); throws
   * when the write failed.
   */
  protected abstract int write(long seq);

  /** After a failed write: what to do before the next one (look up the leader, back off). */
  protected void afterFailure() {}

  /** Starts writing; returns this. */
  public BackgroundWriter start() {
    loop = executor.submit(this::run);
    return this;
  }

  private void run() {
    long seq = 0;
    while (running.get()) {
      seq++;
      try {
        int member = write(seq);
        synchronized (this) {
          acks.add(new Ack(seq, member, System.nanoTime()));
        }
      } catch (RuntimeException e) {
        synchronized (this) {
          errors.add(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        if (running.get()) {
          afterFailure();
        }
      }
    }
  }

  /** The acknowledged sequence numbers, in order. */
  public synchronized List<Long> acked() {
    return acks.stream().map(Ack::seq).toList();
  }

  /** Every acknowledgement with its member and time, in order. */
  public synchronized List<Ack> acks() {
    return List.copyOf(acks);
  }

  public synchronized int ackedCount() {
    return acks.size();
  }

  public synchronized List<String> errors() {
    return List.copyOf(errors);
  }

  /** When the first write acknowledged after {@code nanos} ({@link System#nanoTime}) was, or -1. */
  public synchronized long firstAckAfter(long nanos) {
    return acks.stream().mapToLong(Ack::nanos).filter(t -> t > nanos).findFirst().orElse(-1L);
  }

  /**
   * Waits until at least {@code count} writes were acknowledged.
   *
   * @throws IllegalStateException when {@code bound} passed first, with the last errors
   */
  public void awaitAcked(int count, Duration bound) {
    try {
      Waits.until(name + ": " + count + " acknowledged writes", bound, Duration.ofMillis(50),
          this::ackedCount, acked -> acked >= count);
    } catch (IllegalStateException e) {
      List<String> last = errors();
      throw new IllegalStateException("only " + ackedCount() + " of " + count + " " + name
          + " writes acknowledged within " + bound + "; last errors: "
          + last.subList(Math.max(0, last.size() - 5), last.size()), e);
    }
  }

  /** Stops after the write in flight and waits for it (bounded). */
  public void stop() throws Exception {
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
