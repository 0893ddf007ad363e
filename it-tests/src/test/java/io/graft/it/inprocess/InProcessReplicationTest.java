package io.graft.it.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.schema.ConstraintDefinition;
import org.neo4j.graphdb.schema.IndexDefinition;

/**
 * Three embedded Neo4j members (one JVM, seeded from one store copy) replicating through graft over
 * the {@link LocalRaftGroup} double. Covers the write path end to end (docs/ARCHITECTURE.md §2):
 * leader writes land on every member with the same element ids and tx ids, follower writes fail
 * with NotALeader before touching anything, token/index/constraint transactions replicate (indexes
 * ONLINE on followers), a constraint violation leaves the Raft log untouched, a 20,000-node
 * transaction replicates, and the graph digests agree (200,000 nodes: InProcessApplyFailureTest).
 * Member 0 leads throughout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InProcessReplicationTest {
  private InProcessCluster cluster;

  @BeforeAll
  void startCluster(@TempDir Path dir) throws Exception {
    Map<org.neo4j.graphdb.config.Setting<?>, Object> extra = InProcessCluster.noExtra();
    // Three members apply a 20k-node entry on two shared cores: allow it time.
    extra.put(io.graft.plugin.RaftSettings.commit_timeout, java.time.Duration.ofMinutes(1));
    cluster = new InProcessCluster(dir, 3, extra);
    try {
      cluster.startAll();
      cluster.electAndAwaitLease(0);
    } catch (Throwable t) {
      cluster.close();
      throw t;
    }
  }

  @AfterAll
  void stopCluster() {
    cluster.close();
  }

  @Test
  void leaderWriteIsVisibleOnEveryMemberWithTheSameIds() {
    long txBefore = cluster.lastTxId(0);
    String[] ids =
        cluster.write(
            0,
            tx -> {
              Node a = tx.createNode(Label.label("Person"));
              a.setProperty("name", "ada");
              Node b = tx.createNode(Label.label("Person"));
              b.setProperty("name", "grace");
              String rel = a.createRelationshipTo(b, RelationshipType.withName("KNOWS")).getElementId();
              return new String[] {a.getElementId(), b.getElementId(), rel};
            });
    // Label, property key and relationship type tokens are each created by an inner
    // transaction (tx ids 4..6 on a fresh seed), so the user transaction is the last one.
    long txAfter = cluster.lastTxId(0);
    assertThat(txAfter).isGreaterThan(txBefore);
    cluster.awaitConverged();
    for (int i = 0; i < 3; i++) {
      int member = i;
      assertThat(cluster.lastTxId(member)).as("tx id on member %d", member).isEqualTo(txAfter);
      String name = cluster.read(member, tx -> (String) tx.getNodeByElementId(ids[0]).getProperty("name"));
      assertThat(name).isEqualTo("ada");
      String other =
          cluster.read(member, tx -> (String) tx.getRelationshipByElementId(ids[2]).getEndNode().getProperty("name"));
      assertThat(other).isEqualTo("grace");
    }
  }

  @Test
  void aWriteWithExistingTokensIsExactlyOneTransactionEverywhere() {
    cluster.db(0).executeTransactionally("CREATE (:Seen {k: 0})");
    cluster.awaitConverged();
    long before = cluster.lastTxId(0);
    long nodeId = cluster.write(0, tx -> {
      Node n = tx.createNode(Label.label("Seen"));
      n.setProperty("k", 1);
      return n.getId();
    });
    assertThat(cluster.lastTxId(0)).isEqualTo(before + 1);
    cluster.awaitConverged();
    for (int i = 0; i < 3; i++) {
      int m = i;
      assertThat(cluster.lastTxId(m)).isEqualTo(before + 1);
      assertThat((long) cluster.read(m, tx -> (long) (Integer) tx.getNodeById(nodeId).getProperty("k")))
          .isEqualTo(1L);
    }
  }

  @Test
  void followerWriteFailsWithNotALeaderAndLeavesNoTrace() {
    cluster.awaitConverged();
    long raftBefore = cluster.group().lastLogIndex();
    long txBefore = cluster.lastTxId(1);
    Throwable core = catchThrowable(() -> cluster.write(1, tx -> tx.createNode(Label.label("X"))));
    assertThat(Statuses.codes(core)).contains("Neo.ClientError.Cluster.NotALeader");
    Throwable cypher =
        catchThrowable(() -> cluster.db(1).executeTransactionally("CREATE (:X {v: 1})"));
    assertThat(Statuses.codes(cypher)).contains("Neo.ClientError.Cluster.NotALeader");
    // Reads keep working on the follower.
    assertThat((long) cluster.read(1, tx -> tx.findNodes(Label.label("X")).stream().count())).isZero();
    assertThat(cluster.lastTxId(1)).isEqualTo(txBefore);
    assertThat(cluster.group().lastLogIndex()).isEqualTo(raftBefore);
  }

  @Test
  void tokensIndexesAndConstraintsReplicate() {
    cluster.db(0).executeTransactionally("CREATE INDEX city_name FOR (c:City) ON (c.name)");
    cluster.db(0).executeTransactionally(
        "CREATE CONSTRAINT book_isbn FOR (b:Book) REQUIRE b.isbn IS UNIQUE");
    cluster.db(0).executeTransactionally(
        "CREATE (:BrandNewLabel {brandNewKey: 1})-[:BRAND_NEW_TYPE]->(:City {name: 'Oslo'})");
    cluster.awaitConverged();
    long tx0 = cluster.lastTxId(0);
    for (int i = 0; i < 3; i++) {
      int m = i;
      assertThat(cluster.lastTxId(m)).isEqualTo(tx0);
      cluster.read(m, tx -> {
        tx.schema().awaitIndexesOnline(60, TimeUnit.SECONDS);
        List<String> names = new ArrayList<>();
        for (IndexDefinition index : tx.schema().getIndexes()) {
          names.add(index.getName());
          assertThat(tx.schema().getIndexState(index).name()).isEqualTo("ONLINE");
        }
        assertThat(names).contains("city_name", "book_isbn");
        List<String> constraints = new ArrayList<>();
        for (ConstraintDefinition c : tx.schema().getConstraints()) {
          constraints.add(c.getName());
        }
        assertThat(constraints).contains("book_isbn");
        return null;
      });
      long viaIndex =
          cluster.read(m, tx -> (long) tx.execute(
              "MATCH (n:BrandNewLabel)-[:BRAND_NEW_TYPE]->(c:City {name: 'Oslo'}) "
                  + "RETURN count(*) AS c").next().get("c"));
      assertThat(viaIndex).isEqualTo(1);
    }
  }

  @Test
  void constraintViolationFailsOnTheLeaderAndWritesNothingAnywhere() {
    cluster.db(0).executeTransactionally(
        "CREATE CONSTRAINT tag_name IF NOT EXISTS FOR (t:Tag) REQUIRE t.name IS UNIQUE");
    cluster.db(0).executeTransactionally("CREATE (:Tag {name: 'unique'})");
    cluster.awaitConverged();
    long raftBefore = cluster.group().lastLogIndex();
    long[] txBefore = {cluster.lastTxId(0), cluster.lastTxId(1), cluster.lastTxId(2)};
    Throwable t =
        catchThrowable(() -> cluster.db(0).executeTransactionally("CREATE (:Tag {name: 'unique'})"));
    assertThat(Statuses.codes(t)).contains("Neo.ClientError.Schema.ConstraintValidationFailed");
    assertThat(cluster.group().lastLogIndex()).isEqualTo(raftBefore);
    for (int i = 0; i < 3; i++) {
      assertThat(cluster.lastTxId(i)).isEqualTo(txBefore[i]);
    }
  }

  @Test
  void aTwentyThousandNodeTransactionReplicatesAndTheDigestsAgree() {
    long start = System.nanoTime();
    cluster.db(0).executeTransactionally(
        "UNWIND range(1, 20000) AS i CREATE (:Big {i: i, name: 'node-' + i})");
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.println("20,000-node transaction committed through Raft in " + millis + " ms");
    cluster.awaitConverged();
    List<Map<String, Object>> digests = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int m = i;
      long big = cluster.read(m, tx -> tx.findNodes(Label.label("Big")).stream().count());
      assertThat(big).isEqualTo(20_000);
      digests.add(cluster.read(m, tx -> tx.execute("CALL raft.digest()").next()));
    }
    assertThat((long) digests.get(0).get("nodes")).isGreaterThanOrEqualTo(20_000L);
    assertThat(digests.get(1).get("digest")).isEqualTo(digests.get(0).get("digest"));
    assertThat(digests.get(2).get("digest")).isEqualTo(digests.get(0).get("digest"));
    assertThat(digests.get(0).get("appliedIndex")).isEqualTo(cluster.group().commitIndex());
  }

  @Test
  void statusAndMembersProceduresReportTheCluster() {
    cluster.awaitConverged();
    for (int i = 0; i < 3; i++) {
      int m = i;
      Map<String, Object> s = cluster.read(m, tx -> tx.execute("CALL raft.status()").next());
      // ARCHITECTURE.md §3's columns in their order; the security warnings come last.
      List<String> columns = cluster.read(m, tx -> tx.execute("CALL raft.status()").columns());
      assertThat(columns).containsExactly("memberId", "raftAddress", "boltAddress",
          "role", "term", "leaderId", "leaderBoltAddress", "commitIndex", "appliedIndex",
          "lastLogIndex", "lastTxId", "votingMembers", "warnings");
      assertThat((List<?>) s.get("warnings")).as("loopback members: no warning").isEmpty();
      assertThat(s.get("memberId")).isEqualTo(cluster.member(m).value());
      assertThat(s.get("role")).isEqualTo(m == 0 ? "LEADER" : "FOLLOWER");
      assertThat(s.get("leaderId")).isEqualTo(cluster.member(0).value());
      assertThat(s.get("lastTxId")).isEqualTo(cluster.lastTxId(m));
      assertThat((List<?>) s.get("votingMembers")).hasSize(3);
      long rows = cluster.read(m, tx -> tx.execute("CALL raft.members()").stream().count());
      assertThat(rows).isEqualTo(3);
    }
    assertThatThrownBy(() -> cluster.db(1).executeTransactionally("CALL raft.nope()"))
        .hasMessageContaining("raft.nope");
  }
}
