package io.graft.it.realdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.graft.it.ClusterPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logging;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.Values;
import org.neo4j.driver.exceptions.ClientException;

/**
 * Issue 11 on real server processes with the jar in {@code plugins/}: adopting graft with real
 * data. One story, in order, sharing servers across the steps:
 *
 * <ol>
 *   <li>A plain server (no graft) builds the original database: {@code N} :Person nodes with a
 *       uniqueness constraint, an index and several property types, {@code 2N} relationships.
 *       It is dumped with {@code neo4j-admin database dump} (neo4j and system).
 *   <li>Enabled as one of several founders it refuses to start its database, naming the
 *       seeding path, and changes nothing.
 *   <li>Enabled alone it seeds a one-member cluster that keeps every element id; two servers on
 *       empty folders are added under a write load, receive the data by store copy, and end with
 *       the original element ids and identical raft.digest(); the constraint holds on the leader.
 *   <li>raft.backup on a follower while 32 clients write: refusals first (a non-empty directory,
 *       one the server cannot write); the backup, started as the data of a plain server, holds
 *       exactly the writes up to its index (see the step's comments); a new cluster seeded from
 *       it works.
 *   <li>The dump, loaded with {@code neo4j-admin database load} into a fresh server, seeds a
 *       cluster with the original element ids.
 *   <li>Majority loss: kill -9 of two of three for good; forceNewCluster (refused first while the
 *       majority lives); writes resume; every write acknowledged before the loss is there; the
 *       two old members restarted on their old state are refused and change nothing; wiped, they
 *       are added back as new members.
 * </ol>
 *
 * Size: {@code -Drealdata.nodes} (default 5,000 in CI; the 100,000 with 200,000
 * relationships: {@code -Drealdata.nodes=100000}); {@code -Drealdata.full=true} adds the second
 * joiner of the dump/load cluster and a joiner of the cluster seeded from the backup.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class RealDataIT {
  private static final int NODES = Integer.getInteger("realdata.nodes", 5_000);
  private static final boolean FULL = Boolean.getBoolean("realdata.full");
  private static final Duration CONVERGE = Duration.ofMinutes(4);

  private static Path root;
  private static final List<Server> servers = new ArrayList<>();
  private static Server original;
  private static Server joiner1;
  private static Server joiner2;
  private static Path dumps;
  private static Map<Long, String> originalIds;
  private static long[] originalCounts;
  private static Path backupDir;
  private static boolean failed;

  @BeforeAll
  static void setUp() throws IOException {
    root = Path.of(System.getProperty("graft.it.dir", "target/it-clusters")).toAbsolutePath()
        .resolve("real-data-" + System.currentTimeMillis());
    Files.createDirectories(root);
    dumps = Files.createDirectories(root.resolve("dumps"));
  }

  private long stepStarted;

  @BeforeEach
  void stepStarts() {
    stepStarted = System.nanoTime();
  }

  @AfterEach
  void stepEnds(TestInfo info) {
    log(String.format("step %s: %d s", info.getDisplayName(),
        Duration.ofNanos(System.nanoTime() - stepStarted).toSeconds()));
  }

  @AfterAll
  static void tearDown() {
    servers.forEach(Server::close);
  }

  /** Fails (never skips) without a working plugin jar; later steps stop after a failed one. */
  private static void requirePlugin() {
    ClusterPaths.pluginJar();
    Assumptions.assumeFalse(failed, "an earlier step of the story failed (see its failure)");
  }

  private static Server server(String name) {
    Server s = new Server(root, name, servers.size() + 1);
    servers.add(s);
    return s;
  }

  private static void log(String line) {
    System.out.println("[real-data] " + line);
  }

  // ---- 1: the original database on a plain server, and its dump ----

  @Test
  @Order(1)
  void aPlainServerHoldsTheOriginalDatabase() {
    requirePlugin();
    failed = true;
    original = server("original").plain(Map.of()).start().awaitStarted();
    long began = System.nanoTime();
    try (Session s = original.session()) {
      OriginalGraph.build(s, NODES, RealDataIT::log);
      originalIds = OriginalGraph.elementIds(s);
      originalCounts = OriginalGraph.counts(s);
    }
    log(String.format("original: %d nodes, %d relationships in %d s", originalCounts[0],
        originalCounts[1], Duration.ofNanos(System.nanoTime() - began).toSeconds()));
    assertThat(originalIds).hasSize(NODES);
    assertThat(originalCounts).containsExactly(NODES, 2L * NODES);
    original.stop();
    original.home.adminTool(ClusterPaths.lib(), Duration.ofMinutes(5), "database", "dump",
        "neo4j", "--to-path=" + dumps);
    original.home.adminTool(ClusterPaths.lib(), Duration.ofMinutes(5), "database", "dump",
        "system", "--to-path=" + dumps);
    assertThat(dumps.resolve("neo4j.dump")).isRegularFile();
    failed = false;
  }

  // ---- 2: several founders with an existing database refuse, changing nothing ----

  @Test
  @Order(2)
  void anExistingDatabaseAmongSeveralFoundersIsRefusedNamingTheSeedingPath() {
    requirePlugin();
    failed = true;
    original.graft(List.of(original.raftAddress(), "127.0.0.1:1"), Map.of()).start()
        .awaitStarted();
    await().atMost(CONVERGE).until(() -> original.process.databaseFailure().isPresent());
    assertThat(original.log("debug.log"))
        .contains("names several founders")
        .contains("server.raft.initial_members=" + original.raftAddress())
        .contains("Moving an existing database onto graft");
    original.stop();
    assertThat(original.home.data().resolve("raft").resolve("neo4j").resolve("meta")
        .resolve("raft-meta")).doesNotExist();
    failed = false;
  }

  // ---- 3: seeding, then two empty servers added under load ----

  @Test
  @Order(3)
  void aSeededClusterKeepsElementIdsAndJoinersGetTheDataUnderLoad() {
    requirePlugin();
    failed = true;
    List<String> founders = List.of(original.raftAddress());
    original.graft(founders, Map.of()).start().awaitStarted();
    awaitLeader(original);
    try (Session s = original.session()) {
      assertThat(OriginalGraph.elementIds(s)).isEqualTo(originalIds);
    }
    assertThat(original.log("debug.log")).contains("seeding a new one-member cluster");
    joiner1 = server("joiner-1").graft(founders, Map.of()).start();
    joiner2 = server("joiner-2").graft(founders, Map.of()).start();
    joiner1.awaitStarted();
    joiner2.awaitStarted();
    try (Driver routed = routingDriver(original);
        Writers load = new Writers(routed, 4, "JoinLoad").start()) {
      await().atMost(CONVERGE).until(() -> load.ackCount() >= 20);
      addMember(original, joiner1);
      addMember(original, joiner2);
      int before = load.ackCount();
      await().atMost(CONVERGE).until(() -> load.ackCount() >= before + 20);
      load.stop();
      log("writes during the joins: " + load.ackCount() + " acknowledged");
    }
    Map<String, String> digests = sameDigests(List.of(original, joiner1, joiner2));
    log("digests: " + digests);
    for (Server j : List.of(joiner1, joiner2)) {
      assertThat(j.log("debug.log")).as(j.name + " caught up by store copy")
          .contains("snapshot installed");
      try (Session s = j.session()) {
        assertThat(OriginalGraph.elementIds(s)).as(j.name).isEqualTo(originalIds);
        assertThat(OriginalGraph.counts(s)).containsExactly(originalCounts);
      }
    }
    try (Session s = original.session()) {
      assertThatThrownBy(() -> s.run("CREATE (:Person {id: 1})").consume())
          .isInstanceOf(ClientException.class)
          .hasMessageContaining("already exists");
    }
    failed = false;
  }

  // ---- 4: raft.backup on a follower while 32 clients write ----

  @Test
  @Order(4)
  void backupUnder32WritersHoldsExactlyTheWritesUpToItsIndex() throws IOException {
    requirePlugin();
    failed = true;
    Server follower = joiner1;
    // Refusals first: nothing is written, nothing is touched.
    Path full = Files.createDirectories(root.resolve("not-empty"));
    Files.writeString(full.resolve("keep.txt"), "precious");
    assertThatThrownBy(() -> backup(follower, full, false))
        .hasMessageContaining("exists and is not empty");
    assertThat(Files.readString(full.resolve("keep.txt"))).isEqualTo("precious");
    assertThatThrownBy(() -> backup(follower, Path.of("/proc/graft-backup"), false))
        .hasMessageContaining("cannot write into /proc/graft-backup");
    // Tokens and the key constraint exist before the workload: from T0 on, every transaction
    // of the cluster is one workload write.
    try (Session s = original.session()) {
      s.run("CREATE CONSTRAINT w_key IF NOT EXISTS FOR (w:W) REQUIRE w.k IS UNIQUE").consume();
      s.run("CALL db.awaitIndexes(300)").consume();
      s.run("CREATE (w:W {k: -1, client: -1, seq: -1}) DELETE w").consume();
    }
    long t0 = quietLastTxId(List.of(original, joiner1, joiner2));
    backupDir = root.resolve("backup");
    Map<String, Object> row;
    long backupCalled;
    List<Writers.Ack> acks;
    try (Driver routed = routingDriver(original);
        Writers load = new Writers(routed, 32, "W").start()) {
      await().atMost(CONVERGE).until(() -> load.ackCount() >= 200);
      backupCalled = System.nanoTime();
      row = backup(follower, backupDir, true);
      int after = load.ackCount();
      await().atMost(CONVERGE).until(() -> load.ackCount() >= after + 200);
      load.stop();
      acks = load.acks();
    }
    log("backup on " + follower.name + " under 32 writers: " + row + "; " + acks.size()
        + " writes acknowledged in all");
    long index = (Long) row.get("appliedIndex");
    long lastTx = (Long) row.get("lastTxId");
    assertThat(row.get("directory")).isEqualTo(backupDir.toString());
    assertThat((Long) row.get("bytes")).isPositive();
    assertThat(backupDir.resolve("graft-backup.properties")).isRegularFile();
    assertThat(backupDir.resolve("neo4j.dump")).isRegularFile();

    // A plain server started on the backup as its data/ folder.
    Server plain = server("plain-on-backup")
        .plain(Map.of("server.directories.data", backupDir.toString())).start().awaitStarted();
    Map<Integer, List<Long>> seqs = new TreeMap<>();
    try (Session s = plain.session()) {
      s.run("MATCH (w:W) RETURN w.client AS c, w.seq AS s").forEachRemaining(r ->
          seqs.computeIfAbsent(r.get("c").asInt(), c -> new ArrayList<>()).add(r.get("s")
              .asLong()));
      assertThat(OriginalGraph.elementIds(s)).as("the system database came along: same"
          + " identity, same element ids").isEqualTo(originalIds);
    }
    long held = seqs.values().stream().mapToLong(List::size).sum();
    // Exactly the writes up to the backup's index: the cluster committed one :W per
    // transaction after t0, so the backup at lastTx holds lastTx - t0 of them, ...
    assertThat(held).as("writes in the backup at tx %d (t0 %d)", lastTx, t0)
        .isEqualTo(lastTx - t0);
    Map<Integer, Long> ackedBefore = new HashMap<>();
    Set<Long> attempted = new HashSet<>();
    for (Writers.Ack a : acks) {
      attempted.add(Writers.key(a.client(), a.seq()));
      if (a.nanos() < backupCalled) {
        ackedBefore.merge(a.client(), a.seq() + 1, Math::max);
      }
    }
    for (Map.Entry<Integer, List<Long>> e : seqs.entrySet()) {
      List<Long> sorted = e.getValue().stream().sorted().toList();
      // ... a prefix of each client's writes (a client writes in order), ...
      for (int i = 0; i < sorted.size(); i++) {
        assertThat(sorted.get(i)).as("client %d's writes in the backup", e.getKey())
            .isEqualTo(i);
      }
      assertThat(attempted).as("only attempted writes")
          .contains(Writers.key(e.getKey(), sorted.size() - 1));
    }
    // ... and every write acknowledged before raft.backup was called.
    ackedBefore.forEach((client, count) -> assertThat(seqs.getOrDefault(client, List.of()))
        .as("client %d acknowledged %d writes before the backup started", client, count)
        .hasSizeGreaterThanOrEqualTo(count.intValue()));
    assertThat(held).isLessThan(acks.size());
    String plainDigest = contentDigest(plain);
    plain.stop();
    if (FULL) {
      // The backup's .dump, loaded with neo4j-admin into a fresh server (with the original's
      // system database, which carries the identity), holds the same.
      Server fromDump = server("from-backup-dump").plain(Map.of());
      fromDump.home.adminTool(ClusterPaths.lib(), Duration.ofMinutes(5), "database", "load",
          "system", "--from-path=" + dumps);
      fromDump.home.adminTool(ClusterPaths.lib(), Duration.ofMinutes(5), "database", "load",
          "neo4j", "--from-path=" + backupDir);
      fromDump.start().awaitStarted();
      assertThat(contentDigest(fromDump)).as("the backup's dump").isEqualTo(plainDigest);
      fromDump.stop();
    }

    // A new cluster seeded from the backup.
    Server seeded = plain.graft(List.of(plain.raftAddress()), Map.of("server.directories.data",
        backupDir.toString())).start().awaitStarted();
    awaitLeader(seeded);
    assertThat(seeded.log("debug.log")).contains("seeding a new cluster from the graft backup");
    assertThat(contentDigest(seeded)).as("the seeded cluster holds the backup")
        .isEqualTo(plainDigest);
    try (Stream<Path> files = Files.list(backupDir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .anyMatch(n -> n.startsWith("graft-backup.properties.seeded-"))
          .doesNotContain("graft-backup.properties");
    }
    awaitWrite(seeded, "CREATE (:AfterSeed {at: " + index + "})");
    if (FULL) {
      Server k = server("backup-joiner").graft(List.of(seeded.raftAddress()), Map.of()).start()
          .awaitStarted();
      addMember(seeded, k);
      sameDigests(List.of(seeded, k));
    }
    seeded.stop();
    failed = false;
  }

  // ---- 5: neo4j-admin database dump / load ----

  @Test
  @Order(5)
  void aLoadedDumpSeedsAClusterWithTheOriginalElementIds() {
    requirePlugin();
    failed = true;
    Server loaded = server("loaded").plain(Map.of());
    loaded.home.adminTool(ClusterPaths.lib(), Duration.ofMinutes(5), "database", "load",
        "system", "--from-path=" + dumps);
    loaded.home.adminTool(ClusterPaths.lib(), Duration.ofMinutes(5), "database", "load",
        "neo4j", "--from-path=" + dumps);
    List<String> founders = List.of(loaded.raftAddress());
    loaded.graft(founders, Map.of()).start().awaitStarted();
    awaitLeader(loaded);
    List<Server> joiners = new ArrayList<>();
    for (int i = 1; i <= (FULL ? 2 : 1); i++) {
      joiners.add(server("loaded-joiner-" + i).graft(founders, Map.of()).start());
    }
    joiners.forEach(Server::awaitStarted);
    for (Server j : joiners) {
      addMember(loaded, j);
    }
    List<Server> all = new ArrayList<>(joiners);
    all.add(0, loaded);
    sameDigests(all);
    for (Server m : all) {
      try (Session s = m.session()) {
        assertThat(OriginalGraph.elementIds(s)).as(m.name).isEqualTo(originalIds);
      }
    }
    try (Session s = loaded.session()) {
      assertThatThrownBy(() -> s.run("CREATE (:Person {id: 2})").consume())
          .hasMessageContaining("already exists");
    }
    all.forEach(Server::stop);
    failed = false;
  }

  // ---- 6: losing a majority ----

  @Test
  @Order(6)
  void afterLosingTheMajorityTheSurvivorReformsTheClusterAndOldMembersAreRefused() {
    requirePlugin();
    failed = true;
    Server survivor = original;
    makeLeader(survivor, List.of(original, joiner1, joiner2));
    assertThatThrownBy(() -> force(joiner1))
        .hasMessageContaining("still has a leader");
    assertThatThrownBy(() -> force(survivor))
        .hasMessageContaining("still has a leader");
    Set<Long> ackedBeforeLoss = new HashSet<>();
    try (Writers load = new Writers(survivor.driver(), 4, "Lost").start()) {
      await().atMost(CONVERGE).until(() -> load.ackCount() >= 50);
      joiner1.kill9();
      joiner2.kill9();
      long killed = System.nanoTime();
      load.stop();
      for (Writers.Ack a : load.acks()) {
        if (a.nanos() < killed) {
          ackedBeforeLoss.add(Writers.key(a.client(), a.seq()));
        }
      }
    }
    Map<String, Object> forced = await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(1))
        .until(() -> forceOrNull(survivor), r -> r != null);
    log("forceNewCluster: " + forced);
    assertThat((List<?>) forced.get("previousVoters")).hasSize(3);
    assertThat((String) forced.get("message")).contains("FORCED A NEW CLUSTER")
        .contains("LOST").contains("raft.addMember");
    assertThat(survivor.logsContain("FORCED A NEW CLUSTER")).isTrue();
    // Writes resume once the new leader's lease is applied (a moment after the election).
    awaitWrite(survivor, "CREATE (:AfterForce)");
    try (Session s = survivor.session()) {
      Set<Long> present = new HashSet<>();
      s.run("MATCH (w:Lost) RETURN w.k AS k").forEachRemaining(r -> present.add(r.get("k")
          .asLong()));
      assertThat(present).as("every write acknowledged before the loss")
          .containsAll(ackedBeforeLoss);
    }
    Map<String, Object> status = survivor.status();
    assertThat(status.get("role")).isEqualTo("LEADER");
    assertThat(voters(status)).containsExactly(survivor.raftAddress());

    // The old members come back on their old state: refused, nothing changes.
    joiner1.start();
    joiner2.start();
    joiner1.awaitStarted();
    joiner2.awaitStarted();
    await().atMost(CONVERGE).until(() -> joiner1.logsContain("another incarnation")
        && joiner2.logsContain("another incarnation")
        && survivor.logsContain("another incarnation"));
    assertThat(joiner1.logsContain("CALL raft.addMember(")).isTrue();
    long term = (Long) status.get("term");
    try (Session s = survivor.session()) {
      for (int i = 0; i < 20; i++) {
        s.run("CREATE (:WhileOldMembersRun {i: $i})", Values.parameters("i", i)).consume();
      }
    }
    Map<String, Object> after = survivor.status();
    assertThat(after.get("term")).isEqualTo(term);
    assertThat(voters(after)).containsExactly(survivor.raftAddress());

    // Wiped, they are new servers: added back with raft.addMember.
    joiner1.wipe();
    joiner2.wipe();
    joiner1.start();
    joiner2.start();
    joiner1.awaitStarted();
    joiner2.awaitStarted();
    addMember(survivor, joiner1);
    addMember(survivor, joiner2);
    sameDigests(List.of(survivor, joiner1, joiner2));
    try (Session s = joiner2.session()) {
      Set<Long> present = new HashSet<>();
      s.run("MATCH (w:Lost) RETURN w.k AS k").forEachRemaining(r -> present.add(r.get("k")
          .asLong()));
      assertThat(present).containsAll(ackedBeforeLoss);
      assertThat(OriginalGraph.elementIds(s)).isEqualTo(originalIds);
    }
    failed = false;
  }

  // ---- helpers ----

  private static List<String> voters(Map<String, Object> status) {
    List<String> out = new ArrayList<>();
    ((List<?>) status.get("votingMembers")).forEach(v -> out.add(String.valueOf(v)));
    return out;
  }

  private static Driver routingDriver(Server s) {
    return GraphDatabase.driver("neo4j://" + s.boltHostPort(), AuthTokens.none(),
        Config.builder().withLogging(Logging.none())
            .withConnectionTimeout(5, TimeUnit.SECONDS)
            .withMaxTransactionRetryTime(60, TimeUnit.SECONDS).build());
  }

  /** Runs {@code cypher} on {@code s} until it commits (a new leader's lease is applied). */
  private static void awaitWrite(Server s, String cypher) {
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
        .until(() -> {
          try (Session session = s.session()) {
            session.run(cypher).consume();
            return true;
          }
        });
  }

  private static void awaitLeader(Server s) {
    await().atMost(CONVERGE).ignoreExceptions()
        .until(() -> "LEADER".equals(s.status().get("role")));
  }

  private static void addMember(Server on, Server member) {
    long began = System.nanoTime();
    try (Session s = on.session()) {
      List<Record> rows = s.run("CALL raft.addMember($m)",
          Values.parameters("m", member.raftAddress())).list();
      assertThat(rows).anySatisfy(r -> {
        assertThat(r.get("memberId").asString()).isEqualTo(member.raftAddress());
        assertThat(r.get("voting").asBoolean()).isTrue();
      });
    }
    log(String.format("raft.addMember(%s) on %s: %d ms", member.name, on.name,
        Duration.ofNanos(System.nanoTime() - began).toMillis()));
  }

  private static Map<String, Object> backup(Server on, Path dir, boolean dump) {
    try (Session s = on.session()) {
      return s.run("CALL raft.backup($d, {dump: $dump})",
          Values.parameters("d", dir.toString(), "dump", dump)).single().asMap();
    }
  }

  private static Map<String, Object> force(Server on) {
    try (Session s = on.session()) {
      return s.run("CALL raft.forceNewCluster()").single().asMap();
    }
  }

  private static Map<String, Object> forceOrNull(Server on) {
    try {
      return force(on);
    } catch (ClientException e) {
      String m = String.valueOf(e.getMessage());
      if (m.contains("still has a leader") || m.contains("may still be reachable")) {
        return null; // not yet: the old leader or votes are still remembered
      }
      throw e;
    }
  }

  /** Moves leadership to {@code target} (raft.transferLeadership) if another member leads. */
  private static void makeLeader(Server target, List<Server> members) {
    await().atMost(CONVERGE).ignoreExceptions().until(() -> {
      if ("LEADER".equals(target.status().get("role"))) {
        return true;
      }
      try (Session s = target.session()) {
        s.run("CALL raft.transferLeadership($m)",
            Values.parameters("m", target.raftAddress())).consume();
      }
      return "LEADER".equals(target.status().get("role"));
    });
  }

  /** The last transaction id once every member applied the same (no write in flight). */
  private static long quietLastTxId(List<Server> members) {
    long[] tx = new long[1];
    await().atMost(CONVERGE).ignoreExceptions().until(() -> {
      Set<Long> txs = new HashSet<>();
      for (Server m : members) {
        txs.add((Long) m.status().get("lastTxId"));
      }
      tx[0] = txs.iterator().next();
      return txs.size() == 1;
    });
    return tx[0];
  }

  /** raft.digest() of the members once all report one applied index and the same digest. */
  private static Map<String, String> sameDigests(List<Server> members) {
    Map<String, String> last = new LinkedHashMap<>();
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .until(() -> {
          Map<String, String> digests = new LinkedHashMap<>();
          Set<Long> indexes = new HashSet<>();
          for (Server m : members) {
            try (Session s = m.session()) {
              Record r = s.run("CALL raft.digest()").single();
              digests.put(m.name, r.get("digest").asString());
              indexes.add(r.get("appliedIndex").asLong());
            }
          }
          last.clear();
          last.putAll(digests);
          return indexes.size() == 1 && !indexes.contains(-1L)
              && new HashSet<>(digests.values()).size() == 1;
        });
    return last;
  }

  /** A content digest through Cypher (works on plain servers too): nodes and relationships. */
  private static String contentDigest(Server s) {
    try (Session session = s.session()) {
      Record r = session.run("MATCH (n) WITH count(n) AS nodes, sum(id(n)) AS ids,"
          + " collect(DISTINCT labels(n)) AS labels"
          + " OPTIONAL MATCH ()-[k]->() RETURN nodes, ids, size(labels) AS labelSets,"
          + " count(k) AS rels").single();
      long wSum = session.run("MATCH (w:W) RETURN coalesce(sum(w.k), 0) AS s").single()
          .get("s").asLong();
      return r.get("nodes").asLong() + "/" + r.get("ids").asLong() + "/"
          + r.get("labelSets").asLong() + "/" + r.get("rels").asLong() + "/" + wSum;
    }
  }
}
