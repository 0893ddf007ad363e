package io.graft.raft.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Refused handshakes are counted by kind of reason and by who refused, from their wording. */
class TransportCountersTest {
  @Test
  void reasonsAsTheHandshakeCodeWordsThemMapToKinds() {
    assertThat(TransportCounters.reasonKey("cluster id 'x' does not match 'graft' of member a"))
        .isEqualTo("cluster_id/self");
    assertThat(TransportCounters.reasonKey(
        "refused by b: cluster id 'x' does not match 'graft' of member b"))
        .isEqualTo("cluster_id/peer");
    assertThat(TransportCounters.reasonKey("protocol version 9 not supported (member a speaks 2)"))
        .isEqualTo("protocol_version/self");
    assertThat(TransportCounters.reasonKey("member id a is this member's own id"))
        .isEqualTo("own_id/self");
    assertThat(TransportCounters.reasonKey("address h:1 answers as member b, expected c"))
        .isEqualTo("wrong_member/self");
    assertThat(TransportCounters.reasonKey("refused by a: member b presents a new identity u"
        + " (was v): its Raft state was reset, so it is refused")).isEqualTo("reset_member/peer");
    assertThat(TransportCounters.reasonKey("member b presents no Raft identity (incarnation)"))
        .isEqualTo("no_identity/self");
    assertThat(TransportCounters.reasonKey("something new")).isEqualTo("other/self");
  }

  @Test
  void countsPerKeyInTheStats() {
    TransportCounters c = new TransportCounters();
    c.handshakeRejected("cluster id 'x' does not match 'graft' of member a");
    c.handshakeRejected("cluster id 'y' does not match 'graft' of member a");
    c.handshakeRejected("refused by b: member id a is this member's own id");
    assertThat(c.snapshot(0).handshakesRejectedByReason())
        .containsExactlyInAnyOrderEntriesOf(java.util.Map.of("cluster_id/self", 2L,
            "own_id/peer", 1L));
    assertThat(c.snapshot(0).handshakesRejected()).isEqualTo(3);
  }
}
