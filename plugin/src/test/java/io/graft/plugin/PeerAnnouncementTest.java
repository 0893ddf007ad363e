package io.graft.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The handshake announcement (Bolt address + database identity) and the store-base record. */
class PeerAnnouncementTest {
  private static final UUID ID = UUID.fromString("11111111-2222-3333-4444-555555555555");

  @Test
  void theIdentityIsOneTokenBesideTheAddressBooksAnnouncement() {
    String info = PeerAnnouncement.encode("10.0.0.1:7687 http://10.0.0.1:7474", ID);
    assertThat(info).isEqualTo("10.0.0.1:7687 http://10.0.0.1:7474 db=" + ID);
    assertThat(PeerAnnouncement.databaseId(info)).isEqualTo(ID);
    assertThat(PeerAnnouncement.encode("", ID)).isEqualTo("db=" + ID);
    assertThat(PeerAnnouncement.encode("10.0.0.1:7687", null)).isEqualTo("10.0.0.1:7687");
    assertThat(PeerAnnouncement.databaseId("10.0.0.1:7687")).isNull();
    assertThat(PeerAnnouncement.databaseId("")).isNull();
    assertThat(PeerAnnouncement.databaseId(null)).isNull();
    assertThat(PeerAnnouncement.databaseId("h:1 db=garbage")).isNull();
    assertThat(info.length()).isLessThan(255);
    // The address book ignores the token: it still learns the Bolt address.
    io.graft.plugin.routing.BoltAddressBook book = new io.graft.plugin.routing.BoltAddressBook(
        "a:7000", "a:7687", null, java.util.Map.of());
    book.heard("b:7000", PeerAnnouncement.encode("b:7687", ID));
    assertThat(book.boltAddressOf("b:7000")).isEqualTo("b:7687");
  }

  @Test
  void aMemberOfAnotherDatabaseIdentityIsRefusedUnknownIsAdmitted() {
    UUID other = UUID.fromString("99999999-2222-3333-4444-555555555555");
    assertThat(PeerAnnouncement.refusal(ID, "b:7000", PeerAnnouncement.encode("b:7687", ID)))
        .isNull();
    assertThat(PeerAnnouncement.refusal(ID, "b:7000", "b:7687")).isNull();
    assertThat(PeerAnnouncement.refusal(null, "b:7000", PeerAnnouncement.encode(null, other)))
        .isNull();
    assertThat(PeerAnnouncement.refusal(ID, "b:7000", PeerAnnouncement.encode("b:7687", other)))
        .contains("member b:7000 replicates a database with identity " + other)
        .contains("EMPTY data/").contains("Moving an existing database onto graft");
  }

  @Test
  void theStoreBaseRoundTrips(@TempDir Path dir) throws Exception {
    assertThat(StoreBase.read(dir)).isEmpty();
    new StoreBase(ID, 7521).write(dir.resolve("raft"));
    assertThat(StoreBase.read(dir.resolve("raft"))).contains(new StoreBase(ID, 7521));
  }
}
