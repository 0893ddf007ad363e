package io.graft.plugin.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.neo4j.configuration.SettingValueParsers;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.routing.ClientSideRoutingTableProvider;
import org.neo4j.dbms.routing.RoutingException;
import org.neo4j.dbms.routing.RoutingResult;
import org.neo4j.kernel.api.exceptions.Status;
import org.neo4j.kernel.database.DatabaseReferenceImpl;
import org.neo4j.values.virtual.MapValue;

/**
 * Replaces Community's single-address client-side routing table (docs/NEO4J-INTERNALS.md §6) for
 * the replicated database; every other database (system included) keeps Neo4j's own answer. Bolt's
 * ROUTE message and {@code dbms.routing.getRoutingTable} both end here, through {@code
 * DefaultRoutingService}. While graft is not running for the database (stopped, starting), Neo4j's
 * default answer is given too.
 *
 * <p>A member whose Raft node STOPPED after a fatal error refuses the request with a transient
 * error instead of answering: a table from it would name no writer, and a driver that gets no
 * writer asks the same (initial) router again first, so a driver pointed at that member would
 * never find the leader. A refused request makes the driver forget this router and ask the
 * others it knows.
 */
public final class GraftRoutingTableProvider implements ClientSideRoutingTableProvider {
  private final ClientSideRoutingTableProvider original;
  private final String database;
  private final Supplier<Optional<RaftRoutingTable>> table;
  private final Supplier<Optional<String>> stoppedBecause;

  public GraftRoutingTableProvider(
      ClientSideRoutingTableProvider original,
      String database,
      Supplier<Optional<RaftRoutingTable>> table) {
    this(original, database, table, Optional::empty);
  }

  /**
   * @param stoppedBecause why graft stopped on this member after a fatal error; empty while it
   *     runs
   */
  public GraftRoutingTableProvider(
      ClientSideRoutingTableProvider original,
      String database,
      Supplier<Optional<RaftRoutingTable>> table,
      Supplier<Optional<String>> stoppedBecause) {
    this.original = original;
    this.database = database;
    this.table = table;
    this.stoppedBecause = stoppedBecause;
  }

  /** The provider this one replaced (so a re-install never wraps twice). */
  public ClientSideRoutingTableProvider original() {
    return original;
  }

  @Override
  public RoutingResult getRoutingResultForClientSideRouting(
      DatabaseReferenceImpl.Internal reference, MapValue routingContext) throws RoutingException {
    if (database.equals(reference.databaseId().name())) {
      Optional<String> stopped = stoppedBecause.get();
      if (stopped.isPresent()) {
        throw new RoutingException(Status.General.DatabaseUnavailable, "graft stopped on this"
            + " member after a fatal error (" + stopped.get() + ") and no longer follows the"
            + " cluster: ask another member for a routing table of '" + database + "'");
      }
      Optional<RaftRoutingTable> raft = table.get();
      if (raft.isPresent()) {
        RaftRoutingTable t = raft.get();
        return new RoutingResult(
            addresses(t.routers()), addresses(t.writers()), addresses(t.readers()), t.ttlMillis());
      }
    }
    return original.getRoutingResultForClientSideRouting(reference, routingContext);
  }

  private static List<SocketAddress> addresses(List<String> hostPorts) {
    List<SocketAddress> out = new ArrayList<>(hostPorts.size());
    for (String hp : hostPorts) {
      out.add(SettingValueParsers.SOCKET_ADDRESS.parse(hp));
    }
    return out;
  }
}
