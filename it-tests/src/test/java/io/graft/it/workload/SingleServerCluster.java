package io.graft.it.workload;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

/**
 * A "cluster" of one stock, in-process Neo4j 5.26 (neo4j-harness) with no plugin: the baseline the
 * workloads and checkers are proven on before graft's real clusters exist. It has no faults, and
 * its digest map trivially has one entry. Close it in a {@code finally}: Bolt's threads are not
 * daemons and an unclosed instance keeps the test JVM alive (docs/RUNNING-NEO4J.md).
 */
public final class SingleServerCluster implements Cluster, AutoCloseable {

  private final Neo4j neo4j;
  private final Path home;

  private SingleServerCluster(Neo4j neo4j, Path home) {
    this.neo4j = neo4j;
    this.home = home;
  }

  public static SingleServerCluster start() throws IOException {
    Path home = Files.createTempDirectory("graft-workload-");
    Neo4j neo4j = Neo4jBuilders.newInProcessBuilder(home)
        .withDisabledServer()
        .withConfig(BoltConnector.enabled, true)
        .withConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
        .build();
    return new SingleServerCluster(neo4j, home);
  }

  @Override
  public List<URI> memberBoltUris() {
    return List.of(neo4j.boltURI());
  }

  @Override
  public URI routingUri() {
    URI bolt = neo4j.boltURI();
    return URI.create("neo4j://" + bolt.getHost() + ":" + bolt.getPort());
  }

  @Override
  public void close() {
    neo4j.close();
    try {
      Files.deleteIfExists(home); // the harness removes its own content; drop our empty folder
    } catch (IOException e) {
      System.out.println("could not delete " + home + ": " + e);
    }
  }

  @Override
  public String toString() {
    return "single stock Neo4j at " + neo4j.boltURI() + " (" + home + ")";
  }
}
