package io.graft.it.process;

import io.graft.cluster.LocalCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.neo4j.driver.Session;
import org.neo4j.driver.Values;

/**
 * Writes {@code (:Acked {seq})} one at a time to whoever is leader, remembering the sequence
 * numbers whose commit returned successfully. A failed write (leader gone, not a leader) is not
 * acknowledged; it may or may not have committed, so checks use "every acknowledged write is
 * present", never "nothing else is".
 */
final class AckedWriter implements AutoCloseable {
  private final LocalCluster cluster;
  private final List<Long> acked = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final ExecutorService executor = Executors.newSingleThreadExecutor();
  private volatile int target;
  private Future<?> loop;

  AckedWriter(LocalCluster cluster, int leader) {
    this.cluster = cluster;
    this.target = leader;
  }

  void start() {
    loop = executor.submit(this::run);
  }

  synchronized List<Long> acked() {
    return new ArrayList<>(acked);
  }

  private void run() {
    long seq = 0;
    while (running.get()) {
      seq++;
      try (Session session = cluster.probe().session(target)) {
        session.run("CREATE (:Acked {seq: $seq})", Values.parameters("seq", seq)).consume();
        synchronized (this) {
          acked.add(seq);
        }
      } catch (RuntimeException e) {
        findLeader().ifPresent(m -> target = m);
        ProcessFixtures.pause(java.time.Duration.ofMillis(100));
      }
    }
  }

  private Optional<Integer> findLeader() {
    for (int m = 1; m <= cluster.size(); m++) {
      if (!cluster.server(m).isAlive()) {
        continue;
      }
      Optional<Map<String, Object>> row = cluster.probe().status(m);
      if (row.isPresent() && "LEADER".equals(row.get().get("role"))) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  void stop() throws Exception {
    running.set(false);
    if (loop != null) {
      loop.get(60, TimeUnit.SECONDS);
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
