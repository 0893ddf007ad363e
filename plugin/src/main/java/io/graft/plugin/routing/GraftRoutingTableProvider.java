package io.graft.plugin.routing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.neo4j.configuration.SettingValueParsers;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.routing.ClientSideRoutingTableProvider;
import org.neo4j.dbms.routing.RoutingException;
import org.neo4j.dbms.routing.RoutingResult;
import org.neo4j.kernel.api.exceptions.Status;
import org.neo4j.kernel.database.DatabaseReferenceImpl;
import org.neo4j.values.AnyValue;
import org.neo4j.values.storable.TextValue;
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
 *
 * <p>A running member that can name no writer (it knows no leader: an election is running, or it
 * is cut off from the majority) refuses, the same way, the drivers whose seed is this member
 * (their first address, sent as the routing context's {@code address} by every driver since
 * 4.1): after a writer-less table a driver asks its seed FIRST again at the next refresh, so a
 * driver seeded with a member cut off from the majority would get writer-less tables from it
 * forever. Every other driver (seeded with another member, a name graft does not know, or none)
 * gets the writer-less table, with this member listed last among the routers: reads go on while
 * there is no leader (what Neo4j's own cores do and the drivers were built for), its next
 * refresh goes to its seed, and the routers after that are asked in the table's order. Refusing
 * those too would be worse: a member may not know every other member's Bolt address, and a
 * driver all of whose routers refuse drops its table and from then on knows only its seed (dead,
 * in FiveMemberFaultsIT's kill of the seed and the leader: writes stalled until it came back).
 * The Java driver 5 (bolt-connection-routed {@code ClusterRoutingTable.update}: {@code
 * preferInitialRouter = !cluster.hasWriters()}; {@code RediscoveryImpl}: a routing failure that
 * is not a security or client error makes it {@code forget} that router and ask the next;
 * {@code RoutingTableHandlerImpl.clusterCompositionLookupFailed} drops the table) behaves
 * exactly so.
 *
 * <p>The refusal is bounded in time: only during the first {@link #SEED_REFUSAL_WINDOW} after
 * this provider first saw the member without a writer. That is when it matters: a majority
 * elsewhere elects within a few election timeouts, and a driver sent on finds its leader and,
 * with a writer in its table, no longer prefers its seed. After the window no leader has
 * appeared where this member can see, most likely no majority is reachable (the other members
 * are down, MajorityLossIT), and a driver seeded with it gets the writer-less table again so its
 * reads go on.
 */
public final class GraftRoutingTableProvider implements ClientSideRoutingTableProvider {
  /** Where drivers put the address they were given (Neo4j's {@code RoutingTableServiceHelpers}). */
  static final String SEED_KEY = "address";
  /** How long a member without a writer refuses drivers seeded with it (see the class comment). */
  static final Duration SEED_REFUSAL_WINDOW = Duration.ofSeconds(15);
  private static final long HAS_WRITER = Long.MIN_VALUE;
  private final ClientSideRoutingTableProvider original;
  private final String database;
  private final Supplier<Optional<RaftRoutingTable>> table;
  private final Supplier<Optional<String>> stoppedBecause;
  private final LongSupplier nanoClock;
  /** {@link System#nanoTime} when a table without a writer was first seen, or HAS_WRITER. */
  private final AtomicLong writerlessSince = new AtomicLong(HAS_WRITER);

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
    this(original, database, table, stoppedBecause, System::nanoTime);
  }

  /** As above, with the clock that times {@link #SEED_REFUSAL_WINDOW} (tests). */
  GraftRoutingTableProvider(
      ClientSideRoutingTableProvider original,
      String database,
      Supplier<Optional<RaftRoutingTable>> table,
      Supplier<Optional<String>> stoppedBecause,
      LongSupplier nanoClock) {
    this.original = original;
    this.database = database;
    this.table = table;
    this.stoppedBecause = stoppedBecause;
    this.nanoClock = nanoClock;
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
        if (refusesSeededDrivers(t) && seedIsThisMember(routingContext, t)) {
          throw new RoutingException(Status.General.DatabaseUnavailable, "this member knows no"
              + " leader of '" + database + "' right now (an election is running, or this member"
              + " is cut off from the majority): ask another member for a routing table (a driver"
              + " seeded with several members, or with a resolver, asks the next)");
        }
        return new RoutingResult(
            addresses(t.routers()), addresses(t.writers()), addresses(t.readers()), t.ttlMillis());
      }
    }
    return original.getRoutingResultForClientSideRouting(reference, routingContext);
  }

  /** No writer, and first seen so less than {@link #SEED_REFUSAL_WINDOW} ago. */
  private boolean refusesSeededDrivers(RaftRoutingTable t) {
    if (!t.writers().isEmpty()) {
      writerlessSince.set(HAS_WRITER);
      return false;
    }
    long now = nanoClock.getAsLong();
    writerlessSince.compareAndSet(HAS_WRITER, now);
    return now - writerlessSince.get() < SEED_REFUSAL_WINDOW.toNanos();
  }

  /**
   * True when the driver's seed address (the routing context's {@code address}) is this member's
   * own Bolt address (host compared without case). Missing, unparsable or anything else: false.
   */
  static boolean seedIsThisMember(MapValue routingContext, RaftRoutingTable t) {
    AnyValue value = routingContext.get(SEED_KEY);
    if (!(value instanceof TextValue text)) {
      return false;
    }
    Optional<SocketAddress> seed = parse(text.stringValue());
    Optional<SocketAddress> self = parse(t.self());
    return seed.isPresent() && self.isPresent() && same(seed.get(), self.get());
  }

  private static boolean same(SocketAddress a, SocketAddress b) {
    return a.getPort() == b.getPort() && a.getHostname().equalsIgnoreCase(b.getHostname());
  }

  private static Optional<SocketAddress> parse(String hostPort) {
    if (hostPort == null || hostPort.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(SettingValueParsers.SOCKET_ADDRESS.parse(hostPort.trim()));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static List<SocketAddress> addresses(List<String> hostPorts) {
    List<SocketAddress> out = new ArrayList<>(hostPorts.size());
    for (String hp : hostPorts) {
      out.add(SettingValueParsers.SOCKET_ADDRESS.parse(hp));
    }
    return out;
  }
}
