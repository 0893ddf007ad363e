package io.graft.it.inprocess;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.kernel.impl.api.TransactionCommitProcess;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * Issue 3 item 1: with the jar present (graft's extensions are on this classpath and load through
 * Neo4j's service loader) and {@code server.raft.enabled} at its default (false), the server
 * behaves as stock: no raft.* procedures, no Raft state on disk, Neo4j's own commit process, and
 * writes commit and read back as usual.
 */
class DisabledPluginTest {

  @Test
  void withRaftDisabledTheServerIsStockNeo4j(@TempDir Path home) {
    DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
        .setConfig(BoltConnector.enabled, false)
        .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
        .setConfig(GraphDatabaseSettings.pagecache_memory, 32L * 1024 * 1024)
        .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
        .build();
    try {
      GraphDatabaseService db = dbms.database("neo4j");
      List<String> raftProcedures = db.executeTransactionally(
          "SHOW PROCEDURES YIELD name WHERE name STARTS WITH 'raft.' RETURN name", java.util.Map.of(),
          r -> r.stream().map(m -> (String) m.get("name")).toList());
      assertThat(raftProcedures).isEmpty();

      db.executeTransactionally("CREATE (:Stock {v: 1})");
      long count = db.executeTransactionally("MATCH (n:Stock) RETURN count(n) AS c",
          java.util.Map.of(), r -> (Long) r.next().get("c"));
      assertThat(count).isEqualTo(1);

      TransactionCommitProcess commit = ((GraphDatabaseAPI) db).getDependencyResolver()
          .resolveDependency(TransactionCommitProcess.class);
      assertThat(commit.getClass().getName()).doesNotContain("graft");
      assertThat(Files.exists(home.resolve("data").resolve("raft"))).isFalse();
    } finally {
      dbms.shutdown();
    }
  }
}
