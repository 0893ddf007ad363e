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
  void roundTripsAndReadsOlderBareBoltAnnouncements() {
    PeerAnnouncement a = new PeerAnnouncement("10.0.0.1:7687", ID);
    assertThat(a.encode()).isEqualTo("10.0.0.1:7687 db=" + ID);
    assertThat(PeerAnnouncement.decode(a.encode())).isEqualTo(a);
    assertThat(PeerAnnouncement.decode("10.0.0.1:7687"))
        .isEqualTo(new PeerAnnouncement("10.0.0.1:7687", null));
    assertThat(PeerAnnouncement.decode(new PeerAnnouncement(null, ID).encode()))
        .isEqualTo(new PeerAnnouncement(null, ID));
    assertThat(PeerAnnouncement.decode("")).isEqualTo(new PeerAnnouncement(null, null));
    assertThat(PeerAnnouncement.decode("h:1 db=garbage"))
        .isEqualTo(new PeerAnnouncement("h:1", null));
    assertThat(new PeerAnnouncement(null, ID).encode().length()).isLessThan(255);
  }

  @Test
  void aMemberOfAnotherDatabaseIdentityIsRefusedUnknownIsAdmitted() {
    UUID other = UUID.fromString("99999999-2222-3333-4444-555555555555");
    assertThat(PeerAnnouncement.refusal(ID, "b:7000", new PeerAnnouncement("b:7687", ID)
        .encode())).isNull();
    assertThat(PeerAnnouncement.refusal(ID, "b:7000", "b:7687")).isNull();
    assertThat(PeerAnnouncement.refusal(null, "b:7000", new PeerAnnouncement(null, other)
        .encode())).isNull();
    assertThat(PeerAnnouncement.refusal(ID, "b:7000", new PeerAnnouncement("b:7687", other)
        .encode()))
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
