package io.graft.plugin.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The table a neo4j:// driver gets for the replicated database, for each view of the cluster. */
class RaftRoutingTableTest {
  private static final Map<String, String> BOLT =
      Map.of("a:7000", "a:7687", "b:7000", "b:7687", "c:7000", "c:7687", "d:7000", "d:7687");
  private static final List<String> VOTERS = List.of("a:7000", "b:7000", "c:7000");

  @Test
  void leaderWritesFollowersReadEveryoneRoutes() {
    RaftRoutingTable t =
        RaftRoutingTable.compute("b:7000", "a:7000", VOTERS, List.of(), BOLT::get, 5000);
    assertThat(t.writers()).containsExactly("a:7687");
    assertThat(t.readers()).containsExactlyInAnyOrder("b:7687", "c:7687");
    assertThat(t.routers()).containsExactlyInAnyOrder("a:7687", "b:7687", "c:7687");
    assertThat(t.routers().get(0)).as("this member first").isEqualTo("b:7687");
    assertThat(t.ttlMillis()).isEqualTo(5000);
  }

  @Test
  void noLeaderMeansNoWriterSoTheDriverRefreshesAndRetries() {
    RaftRoutingTable t = RaftRoutingTable.compute("b:7000", null, VOTERS, List.of(), BOLT::get, 5000);
    assertThat(t.writers()).isEmpty();
    assertThat(t.readers()).containsExactlyInAnyOrder("a:7687", "b:7687", "c:7687");
    assertThat(t.routers()).hasSize(3);
    assertThat(t.routers().get(2)).as("a member with no writer to name routes last")
        .isEqualTo("b:7687");
    assertThat(t.self()).isEqualTo("b:7687");
  }

  @Test
  void aLeaderAloneAlsoReads() {
    RaftRoutingTable t =
        RaftRoutingTable.compute("a:7000", "a:7000", List.of("a:7000"), List.of(), BOLT::get, 1);
    assertThat(t.writers()).containsExactly("a:7687");
    assertThat(t.readers()).containsExactly("a:7687");
    assertThat(t.routers()).containsExactly("a:7687");
  }

  @Test
  void learnersRouteButDoNotServeReads() {
    RaftRoutingTable t = RaftRoutingTable.compute(
        "a:7000", "a:7000", VOTERS, List.of("d:7000"), BOLT::get, 5000);
    assertThat(t.readers()).doesNotContain("d:7687");
    assertThat(t.routers()).contains("d:7687");
  }

  @Test
  void membersWithUnknownBoltAddressesAreLeftOutNotGuessed() {
    Map<String, String> partial = Map.of("b:7000", "b:7687");
    RaftRoutingTable t =
        RaftRoutingTable.compute("b:7000", "a:7000", VOTERS, List.of(), partial::get, 5000);
    assertThat(t.writers()).as("leader's Bolt address unknown: no writer").isEmpty();
    assertThat(t.readers()).containsExactly("b:7687");
    assertThat(t.routers()).containsExactly("b:7687");
  }

  @Test
  void handshakeAnnouncementsWinOverConfigurationAndSelfIsNeverOverwritten() {
    BoltAddressBook book = new BoltAddressBook("a:7000", "a:7687", Map.of("b:7000", "old:1"));
    book.learned("b:7000", "b:7687");
    book.learned("a:7000", "evil:1");
    book.learned("c:7000", " ");
    assertThat(book.boltAddressOf("b:7000")).isEqualTo("b:7687");
    assertThat(book.boltAddressOf("a:7000")).isEqualTo("a:7687");
    assertThat(book.boltAddressOf("c:7000")).isNull();
    assertThat(book.boltAddressOf(null)).isNull();
  }

  @Test
  void announcementCarriesBoltAndHttpAndOldBareBoltAnnouncementsStillRead() {
    BoltAddressBook a = new BoltAddressBook("a:7000", "a:7687", "http://a:7474", Map.of());
    assertThat(a.announcement()).isEqualTo("a:7687 http://a:7474");
    assertThat(a.httpAddressOf("a:7000")).isEqualTo("http://a:7474");
    BoltAddressBook b = new BoltAddressBook("b:7000", "b:7687", null, Map.of());
    assertThat(b.announcement()).isEqualTo("b:7687");
    b.heard("a:7000", a.announcement());
    b.heard("c:7000", "c:7687");
    b.heard("d:7000", "https://d:7473 junk http://x/path");
    assertThat(b.boltAddressOf("a:7000")).isEqualTo("a:7687");
    assertThat(b.httpAddressOf("a:7000")).isEqualTo("http://a:7474");
    assertThat(b.boltAddressOf("c:7000")).isEqualTo("c:7687");
    assertThat(b.httpAddressOf("c:7000")).isNull();
    assertThat(b.httpAddressOf("d:7000")).isEqualTo("https://d:7473");
    assertThat(b.boltAddressOf("d:7000")).isNull();
    b.heard("b:7000", "evil:1 http://evil:2");
    assertThat(b.httpAddressOf("b:7000")).isNull();
    assertThat(new BoltAddressBook("e:7000", null, "http://e:7474", Map.of()).announcement())
        .isEqualTo("http://e:7474");
  }
}
