package io.graft.it.inprocess;

import static org.awaitility.Awaitility.await;

import io.graft.bridge.apply.LeaseState;
import io.graft.plugin.RaftSettings;
import io.graft.raft.api.MemberId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Transaction;
import org.neo4j.graphdb.config.Setting;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.storageengine.api.TransactionIdStore;

/**
 * N embedded Neo4j 5.26 DBMSs in this JVM with the graft plugin enabled, started from ONE seeded
 * {@code data/} folder copied to every member (element ids embed the database UUID kept in the
 * system database, docs/NEO4J-INTERNALS.md §8.1 item 2), joined through a {@link LocalRaftGroup}.
 * Bolt is off: tests use the embedded API. Always close in finally.
 */
public final class InProcessCluster implements AutoCloseable {
  public static final String DB = "neo4j";

  private final Path root;
  private final String clusterId;
  private final List<String> members = new ArrayList<>();
  private final DatabaseManagementService[] dbms;
  private final Map<Setting<?>, Object> extra;

  public InProcessCluster(Path root, int size, Map<Setting<?>, Object> extra) throws IOException {
    this(root, size, extra, false);
  }

  /**
   * @param realRaft true: core-raft's runtime over Netty on free loopback ports; false: the
   *     {@link LocalRaftGroup} double
   */
  public InProcessCluster(Path root, int size, Map<Setting<?>, Object> extra, boolean realRaft)
      throws IOException {
    this.root = root;
    this.dbms = new DatabaseManagementService[size];
    this.extra = extra;
    this.clusterId = (realRaft ? "real-" : LocalRaftNodeFactory.PREFIX) + UUID.randomUUID();
    for (int i = 0; i < size; i++) {
      members.add("127.0.0.1:" + (realRaft ? freePort() : 17000 + i));
    }
    seed();
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Real Raft: waits until some member leads with its lease applied; returns its index. */
  public int awaitLeaderWithLease() {
    int[] leader = {-1};
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              for (int i = 0; i < dbms.length; i++) {
                if (dbms[i] == null) {
                  continue;
                }
                int m = i;
                Map<String, Object> s = read(m, tx -> tx.execute("CALL raft.status()").next());
                LeaseState.Snapshot lease = LeaseState.open(raftDir(m)).current();
                if ("LEADER".equals(s.get("role"))
                    && members.get(m).equals(lease.owner())
                    && (long) s.get("appliedIndex") >= (long) s.get("commitIndex")) {
                  leader[0] = m;
                  return true;
                }
              }
              return false;
            });
    return leader[0];
  }

  private void seed() throws IOException {
    Path seedHome = root.resolve("seed");
    DatabaseManagementService seed = builder(seedHome).build();
    try {
      seed.database(DB).executeTransactionally("RETURN 1");
    } finally {
      seed.shutdown();
    }
    for (int i = 0; i < dbms.length; i++) {
      copy(seedHome.resolve("data"), home(i).resolve("data"));
    }
  }

  private static DatabaseManagementServiceBuilder builder(Path home) {
    return new DatabaseManagementServiceBuilder(home)
        .setConfig(BoltConnector.enabled, false)
        .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
        .setConfig(GraphDatabaseSettings.pagecache_memory, 32L * 1024 * 1024)
        .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false);
  }

  public Path home(int i) {
    return root.resolve("member-" + i);
  }

  public MemberId member(int i) {
    return MemberId.of(members.get(i));
  }

  public int size() {
    return dbms.length;
  }

  public LocalRaftGroup group() {
    return LocalRaftGroup.get(clusterId);
  }

  public void start(int i) {
    launch(i);
    if (!dbms[i].database(DB).isAvailable(30_000)) {
      throw new IllegalStateException("member " + i + " did not start; see " + debugLogTail(i));
    }
  }

  /**
   * Starts member i's server without waiting for its database (a test expecting the database to
   * fail waits for its own evidence instead of a 30 s availability timeout); {@link #stop} ends it.
   */
  public void launch(int i) {
    List<SocketAddress> initial = new ArrayList<>();
    for (String m : members) {
      initial.add(new SocketAddress("127.0.0.1", Integer.parseInt(m.substring(m.indexOf(':') + 1))));
    }
    DatabaseManagementServiceBuilder b =
        builder(home(i))
            .setConfig(RaftSettings.enabled, true)
            .setConfig(RaftSettings.listen_address, initial.get(i))
            .setConfig(RaftSettings.initial_members, initial)
            .setConfig(RaftSettings.cluster_id, clusterId)
            .setConfig(RaftSettings.commit_timeout, Duration.ofSeconds(20));
    Map<Setting<?>, Object> settings = new HashMap<>(extra);
    b.setConfig(settings);
    dbms[i] = b.build();
  }

  /** Whether member i's database is available now (no waiting). */
  public boolean available(int i) {
    return dbms[i] != null && dbms[i].database(DB).isAvailable(0);
  }

  private String debugLogTail(int i) {
    try {
      List<String> lines = Files.readAllLines(home(i).resolve("logs").resolve("debug.log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no debug.log: " + e + ")";
    }
  }

  public void startAll() {
    for (int i = 0; i < dbms.length; i++) {
      start(i);
    }
  }

  public void stop(int i) {
    if (dbms[i] != null) {
      DatabaseManagementService d = dbms[i];
      dbms[i] = null;
      d.shutdown();
    }
  }

  /** Member i's own system database (users live there). */
  public GraphDatabaseService system(int i) {
    return dbms[i].database("system");
  }

  public GraphDatabaseService db(int i) {
    return dbms[i].database(DB);
  }

  public <T> T read(int i, Function<Transaction, T> work) {
    try (Transaction tx = db(i).beginTx()) {
      return work.apply(tx);
    }
  }

  public <T> T write(int i, Function<Transaction, T> work) {
    try (Transaction tx = db(i).beginTx()) {
      T result = work.apply(tx);
      tx.commit();
      return result;
    }
  }

  public long lastTxId(int i) {
    return ((GraphDatabaseAPI) db(i))
        .getDependencyResolver()
        .resolveDependency(TransactionIdStore.class)
        .getLastCommittedTransactionId();
  }

  /** Elects member i and waits until its own lease is applied on it (its write gate is open). */
  public void electAndAwaitLease(int i) {
    group().electLeader(member(i));
    awaitOwnLease(i);
  }

  public void awaitOwnLease(int i) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              LeaseState.Snapshot lease = LeaseState.open(raftDir(i)).current();
              return members.get(i).equals(lease.owner())
                  && group().appliedIndex(member(i)) >= group().commitIndex();
            });
  }

  /** Waits until every running member applied everything committed. */
  public void awaitConverged() {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              long commit = group().commitIndex();
              for (int i = 0; i < dbms.length; i++) {
                if (dbms[i] != null && group().appliedIndex(member(i)) < commit) {
                  return false;
                }
              }
              return true;
            });
  }

  public Path raftDir(int i) {
    return home(i).resolve("data").resolve("raft").resolve(DB);
  }

  public static Map<Setting<?>, Object> noExtra() {
    return new HashMap<>();
  }

  @Override
  public void close() {
    RuntimeException first = null;
    for (int i = 0; i < dbms.length; i++) {
      try {
        stop(i);
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    if (clusterId.startsWith(LocalRaftNodeFactory.PREFIX)) {
      LocalRaftGroup.remove(clusterId);
    }
    if (first != null) {
      throw first;
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
