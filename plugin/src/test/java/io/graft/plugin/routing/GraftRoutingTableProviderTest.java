package io.graft.plugin.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.routing.ClientSideRoutingTableProvider;
import org.neo4j.dbms.routing.RoutingException;
import org.neo4j.dbms.routing.RoutingResult;
import org.neo4j.kernel.api.exceptions.Status;
import org.neo4j.kernel.database.DatabaseIdFactory;
import org.neo4j.kernel.database.DatabaseReferenceImpl;
import org.neo4j.kernel.database.NormalizedDatabaseName;
import org.neo4j.values.virtual.MapValue;

/** graft answers for the replicated database while it runs; Neo4j's provider for the rest. */
class GraftRoutingTableProviderTest {
  private static final RoutingResult NEO4J_DEFAULT = new RoutingResult(
      List.of(new SocketAddress("me", 7687)), List.of(new SocketAddress("me", 7687)),
      List.of(new SocketAddress("me", 7687)), 300_000);
  private final ClientSideRoutingTableProvider original = (ref, ctx) -> NEO4J_DEFAULT;
  private final AtomicReference<Optional<RaftRoutingTable>> table =
      new AtomicReference<>(Optional.of(new RaftRoutingTable(
          List.of("b:7687", "a:7687"), List.of("a:7687"), List.of("b:7687"), 5000)));
  private final GraftRoutingTableProvider provider =
      new GraftRoutingTableProvider(original, "neo4j", table::get);

  @Test
  void replicatedDatabaseGetsGraftsTable() throws Exception {
    RoutingResult r = provider.getRoutingResultForClientSideRouting(ref("neo4j"), MapValue.EMPTY);
    assertThat(r.writeEndpoints()).containsExactly(new SocketAddress("a", 7687));
    assertThat(r.readEndpoints()).containsExactly(new SocketAddress("b", 7687));
    assertThat(r.routeEndpoints())
        .containsExactly(new SocketAddress("b", 7687), new SocketAddress("a", 7687));
    assertThat(r.ttlMillis()).isEqualTo(5000);
  }

  @Test
  void otherDatabasesAndAStoppedGraftKeepNeo4jsAnswer() throws Exception {
    assertThat(provider.getRoutingResultForClientSideRouting(ref("system"), MapValue.EMPTY))
        .isSameAs(NEO4J_DEFAULT);
    table.set(Optional.empty());
    assertThat(provider.getRoutingResultForClientSideRouting(ref("neo4j"), MapValue.EMPTY))
        .isSameAs(NEO4J_DEFAULT);
    assertThat(provider.original()).isSameAs(original);
  }

  @Test
  void aMemberWhoseRaftNodeStoppedRefusesWithATransientErrorSoDriversAskAnotherMember() {
    AtomicReference<Optional<String>> stopped = new AtomicReference<>(Optional.empty());
    GraftRoutingTableProvider p = new GraftRoutingTableProvider(original, "neo4j", table::get,
        stopped::get);
    stopped.set(Optional.of("StorageException: cannot write segment (No space left on device)"));
    assertThatThrownBy(() -> p.getRoutingResultForClientSideRouting(ref("neo4j"), MapValue.EMPTY))
        .isInstanceOf(RoutingException.class)
        .hasMessageContaining("No space left on device")
        .hasMessageContaining("ask another member")
        .satisfies(e -> assertThat(((RoutingException) e).status())
            .isEqualTo(Status.General.DatabaseUnavailable));
  }

  @Test
  void aLeaderlessMemberRefusesDriversSeededWithItselfAndAnswersTheRestRoutingLast()
      throws Exception {
    // b knows no leader: the table names no writer and b routes last. b does not know c's Bolt
    // address (a follower may not): a driver seeded with c must still get an answer.
    table.set(Optional.of(RaftRoutingTable.compute("b:7000", null,
        List.of("a:7000", "b:7000", "c:7000"), List.of(),
        java.util.Map.of("a:7000", "a:7687", "b:7000", "b:7687")::get, 5000)));

    for (MapValue context : List.of(seed("a:7687"), seed("c:7687"), seed("lb.example:7687"),
        seed("not an address"), MapValue.EMPTY)) {
      RoutingResult r = provider.getRoutingResultForClientSideRouting(ref("neo4j"), context);
      assertThat(r.writeEndpoints()).as("routing context %s", context).isEmpty();
      assertThat(r.readEndpoints()).as("reads go on without a leader").hasSize(2);
      assertThat(r.routeEndpoints()).last()
          .as("the member that knows no leader is asked last")
          .isEqualTo(new SocketAddress("b", 7687));
    }

    for (MapValue context : List.of(seed("b:7687"), seed("B:7687"))) {
      assertThatThrownBy(() -> provider.getRoutingResultForClientSideRouting(ref("neo4j"), context))
          .as("routing context %s", context)
          .isInstanceOf(RoutingException.class)
          .hasMessageContaining("knows no leader")
          .hasMessageContaining("ask another member")
          .satisfies(e -> assertThat(((RoutingException) e).status())
              .isEqualTo(Status.General.DatabaseUnavailable));
    }
  }

  @Test
  void theRefusalLastsTheWindowFromTheFirstWriterlessTableThenReadsGoOnAndALeaderRestartsIt()
      throws Exception {
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
    GraftRoutingTableProvider timed = new GraftRoutingTableProvider(
        original, "neo4j", table::get, Optional::empty, now::get);
    RaftRoutingTable leaderless = RaftRoutingTable.compute("b:7000", null,
        List.of("a:7000", "b:7000"), List.of(),
        java.util.Map.of("a:7000", "a:7687", "b:7000", "b:7687")::get, 5000);
    RaftRoutingTable led = RaftRoutingTable.compute("b:7000", "a:7000",
        List.of("a:7000", "b:7000"), List.of(),
        java.util.Map.of("a:7000", "a:7687", "b:7000", "b:7687")::get, 5000);
    long window = GraftRoutingTableProvider.SEED_REFUSAL_WINDOW.toNanos();
    MapValue seededWithB = seed("b:7687");

    now.set(1_000);
    table.set(Optional.of(leaderless));
    assertThatThrownBy(() -> timed.getRoutingResultForClientSideRouting(ref("neo4j"), seededWithB))
        .as("first writer-less table").isInstanceOf(RoutingException.class);
    now.addAndGet(window - 1);
    assertThatThrownBy(() -> timed.getRoutingResultForClientSideRouting(ref("neo4j"), seededWithB))
        .as("still within the window").isInstanceOf(RoutingException.class);
    now.addAndGet(1);
    RoutingResult after = timed.getRoutingResultForClientSideRouting(ref("neo4j"), seededWithB);
    assertThat(after.writeEndpoints()).as("no leader anywhere in sight: reads go on").isEmpty();
    assertThat(after.readEndpoints()).contains(new SocketAddress("b", 7687));

    table.set(Optional.of(led));
    assertThat(timed.getRoutingResultForClientSideRouting(ref("neo4j"), seededWithB)
        .writeEndpoints()).containsExactly(new SocketAddress("a", 7687));
    table.set(Optional.of(leaderless));
    assertThatThrownBy(() -> timed.getRoutingResultForClientSideRouting(ref("neo4j"), seededWithB))
        .as("the leader was lost again: a new window").isInstanceOf(RoutingException.class);
  }

  @Test
  void aMemberThatKnowsTheLeaderAnswersWhateverTheSeed() throws Exception {
    for (MapValue context : List.of(seed("b:7687"), seed("a:7687"), MapValue.EMPTY)) {
      assertThat(provider.getRoutingResultForClientSideRouting(ref("neo4j"), context)
          .writeEndpoints()).containsExactly(new SocketAddress("a", 7687));
    }
  }

  private static MapValue seed(String address) {
    return org.neo4j.values.virtual.VirtualValues.map(new String[] {"address"},
        new org.neo4j.values.AnyValue[] {org.neo4j.values.storable.Values.stringValue(address)});
  }

  private static DatabaseReferenceImpl.Internal ref(String name) {
    return new DatabaseReferenceImpl.Internal(new NormalizedDatabaseName(name),
        DatabaseIdFactory.from(name, UUID.randomUUID()), true);
  }
}
