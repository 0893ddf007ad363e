package io.graft.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The safe defaults for the Raft port: loopback members need nothing; an exposed member without
 * authenticated TLS (off, client_auth not REQUIRE, trust_all) is refused unless
 * server.raft.require_tls=false, which turns the refusal into a warning; the default cluster id
 * on an exposed address is a warning.
 */
class TransportSafetyTest {
  private static TransportSafety assess(String listen, boolean tls, boolean clientAuth,
      boolean trustAll, boolean defaultId, boolean requireTls) {
    return TransportSafety.assess(listen, listen, tls, clientAuth, trustAll, defaultId,
        requireTls);
  }

  @Test
  void loopbackMembersNeedNoTlsAndGetNoWarning() {
    for (String listen : new String[] {"127.0.0.1:7000", "127.0.0.5:7000", "localhost:7000",
        "[::1]:7000"}) {
      TransportSafety s = assess(listen, false, true, false, true, true);
      assertThat(s.refusal()).as(listen).isNull();
      assertThat(s.warnings()).as(listen).isEmpty();
    }
  }

  @Test
  void exposedMemberWithoutTlsIsRefusedNamingBothWaysOut() {
    for (String listen : new String[] {"10.0.0.1:7000", "0.0.0.0:7000",
        "no-such-host.invalid:7000"}) {
      TransportSafety s = assess(listen, false, true, false, false, true);
      assertThat(s.refusal()).as(listen).isNotNull()
          .contains("refusing to start")
          .contains("without TLS (dbms.ssl.policy.cluster.enabled is not true)")
          .contains("non-loopback address " + listen)
          .contains("bypassing authentication")
          .contains("server.raft.require_tls=false");
    }
  }

  /**
   * Addresses are read by RaftAddress (the one host:port parser): IPv6 literals in brackets, port
   * 0 of a listen address; text that is no address counts as exposed, never as loopback.
   */
  @Test
  void ipv6AndPortZeroAreReadAsAddressesAndNonAddressesCountAsExposed() {
    for (String loopback : new String[] {"[::1]:0", "127.0.0.1:0", "[0:0:0:0:0:0:0:1]:7000"}) {
      assertThat(TransportSafety.isLoopback(loopback)).as(loopback).isTrue();
    }
    for (String exposed : new String[] {"[::]:7000", "[2001:db8::1]:7000", "[fe80::1]:7000",
        "::1:7000", "localhost", "127.0.0.1:", "[::1]"}) {
      assertThat(TransportSafety.isLoopback(exposed)).as(exposed).isFalse();
    }
  }

  @Test
  void loopbackListenButExposedAdvertisedAddressCountsAsExposed() {
    TransportSafety s = TransportSafety.assess("127.0.0.1:7000", "10.1.2.3:7000", false, true,
        false, false, true);
    assertThat(s.refusal()).contains("(advertised 10.1.2.3:7000)");
  }

  @Test
  void tlsThatAuthenticatesNobodyIsRefusedToo() {
    assertThat(assess("10.0.0.1:7000", true, false, false, false, true).refusal())
        .contains("client_auth is not REQUIRE");
    assertThat(assess("10.0.0.1:7000", true, true, true, false, true).refusal())
        .contains("trust_all=true");
  }

  @Test
  void requireTlsFalseTurnsTheRefusalIntoAWarning() {
    TransportSafety s = assess("10.0.0.1:7000", false, true, false, false, false);
    assertThat(s.refusal()).isNull();
    assertThat(s.warnings()).singleElement().asString().startsWith("INSECURE:")
        .contains("server.raft.require_tls=false");
  }

  @Test
  void exposedMemberWithTlsIsFineButTheDefaultClusterIdIsAWarning() {
    assertThat(assess("10.0.0.1:7000", true, true, false, false, true).warnings()).isEmpty();
    TransportSafety s = assess("10.0.0.1:7000", true, true, false, true, true);
    assertThat(s.refusal()).isNull();
    assertThat(s.warnings()).singleElement().asString()
        .contains("server.raft.cluster_id is left at its default");
  }
}
