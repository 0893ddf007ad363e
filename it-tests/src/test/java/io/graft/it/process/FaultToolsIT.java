package io.graft.it.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.cluster.LocalCluster;
import io.graft.it.ItClusters;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.Session;

/**
 * The process fault tools on one real, plain Neo4j server (no plugin needed): SIGSTOP/SIGCONT and
 * kill -9 + restart. The link proxy is covered byte-for-byte by local-cluster's FaultProxyTest and
 * on real Raft links by {@link ProcessClusterIT}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FaultToolsIT {
  private static LocalCluster cluster;

  @BeforeAll
  static void startServer() {
    cluster = LocalCluster.start(ItClusters.plainOptions("fault-tools", 1));
  }

  @AfterAll
  static void stopServer() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void pauseFreezesTheServerAndResumeBringsItBack() throws Exception {
    try (Session warm = cluster.probe().session(1)) {
      assertThat(ItClusters.count(warm, "RETURN 1")).isEqualTo(1);
    }
    cluster.pause(1);
    assertThat(cluster.server(1).procState()).isEqualTo('T');
    CompletableFuture<Long> query = CompletableFuture.supplyAsync(() -> {
      try (Session session = cluster.probe().session(1)) {
        return ItClusters.count(session, "RETURN 42");
      }
    });
    assertThatThrownBy(() -> query.get(3, TimeUnit.SECONDS))
        .as("a stopped server cannot answer").isInstanceOf(TimeoutException.class);
    cluster.resume(1);
    assertThat(query.get(30, TimeUnit.SECONDS)).isEqualTo(42);
    assertThat(cluster.server(1).procState()).isNotEqualTo('T');
  }

  @Test
  @Order(2)
  void kill9LeavesNoProcessAndRestartRecoversCommittedData() {
    try (Session session = cluster.probe().session(1)) {
      session.run("CREATE (:Survivor {name: 'before kill -9'})").consume();
    }
    long oldPid = cluster.pid(1);
    cluster.kill9(1);
    assertThat(ProcessHandle.of(oldPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    cluster.restart(1);
    assertThat(cluster.pid(1)).isNotEqualTo(oldPid);
    assertThat(cluster.server(1).isAlive()).isTrue();
    try (Session session = cluster.probe().session(1)) {
      assertThat(ItClusters.count(session,
          "MATCH (n:Survivor {name: 'before kill -9'}) RETURN count(n)")).isEqualTo(1);
    }
  }

  @Test
  @Order(3)
  void gracefulStopEndsTheProcessWithinTheBound() {
    long began = System.nanoTime();
    cluster.stop(1);
    assertThat(cluster.server(1).isAlive()).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(40));
  }
}
