package io.graft.it.bootstrap;

import static org.awaitility.Awaitility.await;

import io.graft.bridge.apply.LeaseState;
import io.graft.it.inprocess.LocalRaftGroup;
import io.graft.it.inprocess.LocalRaftNodeFactory;
import io.graft.plugin.RaftSettings;
import io.graft.plugin.Wiring;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.SnapshotSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Transaction;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.storageengine.api.TransactionIdStore;

/**
 * N embedded Neo4j 5.26 DBMSs with the graft plugin, each started on an EMPTY home (nothing
 * seeded or copied), joined through the {@link LocalRaftGroup} double (cluster id prefix
 * {@value LocalRaftNodeFactory#PREFIX}). Bolt off; tests use the embedded API.
 */
final class FreshEmbeddedMembers implements AutoCloseable {
  static final String DB = "neo4j";

  private final Path root;
  private final String clusterId = LocalRaftNodeFactory.PREFIX + UUID.randomUUID();
  private final List<SocketAddress> addresses = new ArrayList<>();
  private final DatabaseManagementService[] dbms;
  private final boolean preallocateLogs;

  FreshEmbeddedMembers(Path root, int size) {
    this(root, size, false);
  }

  /** {@code preallocateLogs}: Neo4j's default (256 MiB per tx log file), off unless asked. */
  FreshEmbeddedMembers(Path root, int size, boolean preallocateLogs) {
    this.root = root;
    this.preallocateLogs = preallocateLogs;
    this.dbms = new DatabaseManagementService[size];
    for (int i = 0; i < size; i++) {
      addresses.add(new SocketAddress("127.0.0.1", 17100 + i)); // ids only: nothing binds
    }
  }

  String clusterId() {
    return clusterId;
  }

  Path home(int i) {
    return root.resolve("member-" + i);
  }

  void start(int i) {
    if (Files.exists(home(i).resolve("data"))) {
      throw new IllegalStateException("member " + i + " must start on an empty home");
    }
    open(i);
  }

  /** Shuts member i down and starts it again on its own home (Neo4j recovery runs on start). */
  void restart(int i) {
    dbms[i].shutdown();
    dbms[i] = null;
    open(i);
  }

  private void open(int i) {
    dbms[i] = new DatabaseManagementServiceBuilder(home(i))
        .setConfig(BoltConnector.enabled, false)
        .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
        .setConfig(GraphDatabaseSettings.pagecache_memory, 32L * 1024 * 1024)
        .setConfig(GraphDatabaseSettings.preallocate_logical_logs, preallocateLogs)
        .setConfig(RaftSettings.enabled, true)
        .setConfig(RaftSettings.listen_address, addresses.get(i))
        .setConfig(RaftSettings.initial_members, addresses)
        .setConfig(RaftSettings.cluster_id, clusterId)
        .setConfig(RaftSettings.commit_timeout, Duration.ofSeconds(20))
        .build();
    if (!dbms[i].database(DB).isAvailable(60_000)) {
      throw new IllegalStateException("member " + i + " did not start; see "
          + home(i).resolve("logs/debug.log"));
    }
  }

  void startAll() {
    for (int i = 0; i < dbms.length; i++) {
      start(i);
    }
  }

  LocalRaftGroup group() {
    return LocalRaftGroup.get(clusterId);
  }

  MemberId member(int i) {
    return MemberId.of(addresses.get(i).toString());
  }

  GraphDatabaseService db(int i) {
    return dbms[i].database(DB);
  }

  <T> T read(int i, Function<Transaction, T> work) {
    try (Transaction tx = db(i).beginTx()) {
      return work.apply(tx);
    }
  }

  long lastTxId(int i) {
    return ((GraphDatabaseAPI) db(i)).getDependencyResolver()
        .resolveDependency(TransactionIdStore.class).getLastCommittedTransactionId();
  }

  SnapshotSupport snapshots(int i) {
    return ((GraphDatabaseAPI) db(i)).getDependencyResolver().resolveDependency(Wiring.class)
        .snapshots()
        .orElseThrow(() -> new AssertionError("member " + i + " has no snapshot support"));
  }

  /** Elects member i and waits until its own lease entry is applied on it. */
  void electAndAwaitLease(int i) {
    group().electLeader(member(i));
    Path raftDir = home(i).resolve("data/raft").resolve(DB);
    await().atMost(Duration.ofSeconds(60)).until(() ->
        member(i).value().equals(LeaseState.open(raftDir).current().owner())
            && group().appliedIndex(member(i)) >= group().commitIndex());
  }

  @Override
  public void close() {
    for (int i = 0; i < dbms.length; i++) {
      if (dbms[i] != null) {
        dbms[i].shutdown();
        dbms[i] = null;
      }
    }
    LocalRaftGroup.remove(clusterId);
  }
}
