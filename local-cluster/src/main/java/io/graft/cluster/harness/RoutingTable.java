package io.graft.cluster.harness;

import io.graft.cluster.LocalCluster;
import java.util.ArrayList;
import java.util.List;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
import org.neo4j.driver.Value;
import org.neo4j.driver.Values;

/**
 * A member's answer to {@code dbms.routing.getRoutingTable} for one database: what a {@code
 * neo4j://} driver would be told (Bolt addresses as {@code host:port}).
 */
public record RoutingTable(long ttl, List<String> writers, List<String> readers,
    List<String> routers) {

  public RoutingTable {
    writers = List.copyOf(writers);
    readers = List.copyOf(readers);
    routers = List.copyOf(routers);
  }

  /** Asks {@code member} (through the system database, as drivers do). */
  public static RoutingTable of(LocalCluster cluster, int member, String database) {
    try (Session s = cluster.probe().driver(member)
        .session(SessionConfig.forDatabase("system"))) {
      Record r = s.run("CALL dbms.routing.getRoutingTable({}, $db)",
          Values.parameters("db", database)).single();
      List<String> write = new ArrayList<>();
      List<String> read = new ArrayList<>();
      List<String> route = new ArrayList<>();
      for (Value server : r.get("servers").values()) {
        List<String> addresses = server.get("addresses").asList(Value::asString);
        switch (server.get("role").asString()) {
          case "WRITE" -> write.addAll(addresses);
          case "READ" -> read.addAll(addresses);
          case "ROUTE" -> route.addAll(addresses);
          default -> { }
        }
      }
      return new RoutingTable(r.get("ttl").asLong(), write, read, route);
    }
  }
}
