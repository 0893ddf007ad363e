package io.graft.raft.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The one host:port parser: what it accepts (names, IPv4, bracketed IPv6, surrounding blanks),
 * the canonical text it writes back (a member's id), and the reason it gives for each kind of
 * malformed text. The reasons are user-facing: {@code raft.addMember} and the plugin's settings
 * validation repeat them.
 */
class RaftAddressTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "10.0.0.1:7000       | 10.0.0.1    | 7000  | 10.0.0.1:7000",
      "db-1.example.com:1  | db-1.example.com | 1 | db-1.example.com:1",
      "'  h:65535  '       | h           | 65535 | h:65535",
      "[::1]:7003          | ::1         | 7003  | [::1]:7003",
      "[fe80::1%eth0]:7000 | fe80::1%eth0 | 7000 | [fe80::1%eth0]:7000",
      "[abc]:7000          | abc         | 7000  | abc:7000",
      "h:07000             | h           | 7000  | h:7000",
  })
  void parsesAndWritesTheCanonicalForm(String text, String host, int port, String canonical) {
    RaftAddress a = RaftAddress.parse(text);
    assertThat(a.host()).isEqualTo(host);
    assertThat(a.port()).isEqualTo(port);
    assertThat(a.toString()).isEqualTo(canonical);
    assertThat(RaftAddress.parse(a.toString())).isEqualTo(a);
    assertThat(a.memberId()).isEqualTo(MemberId.of(canonical));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "NULL", value = {
      "NULL             | empty",
      "''               | empty",
      "'   '            | empty",
      "nohost           | no host:port",
      "host:            | no host:port",
      ":7000            | no host:port",
      "[]:7000          | no host:port",
      "h:port           | port is not a number",
      "h:+7000          | port is not a number",
      "h:-1             | port out of range 1..65535",
      "h:99999999999    | port is not a number",
      "h:70000          | port out of range 1..65535",
      "h:0              | port out of range 1..65535",
      "a b:7000         | host contains spaces or '/'",
      "a/b:7000         | host contains spaces or '/'",
      "::1:7000         | IPv6 hosts need [brackets]",
      "[::1:7000        | IPv6 hosts need [brackets]",
      "a]:7000          | brackets only around a whole IPv6 host",
      "[a:7000          | brackets only around a whole IPv6 host",
  })
  void refusesMalformedTextWithItsReason(String text, String reason) {
    assertThatThrownBy(() -> RaftAddress.parse(text))
        .isInstanceOfSatisfying(RaftAddress.MalformedAddressException.class,
            e -> assertThat(e.reason()).isEqualTo(reason))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a host:port address (" + reason + ")");
    assertThat(RaftAddress.tryParse(text)).isEmpty();
  }

  @Test
  void theMessageQuotesTheTrimmedText() {
    assertThatThrownBy(() -> RaftAddress.parse("  h:port "))
        .hasMessage("'h:port' is not a host:port address (port is not a number)");
  }

  @Test
  void aListenAddressMayAskForAnyFreePort() {
    assertThat(RaftAddress.parseListen("127.0.0.1:0").port()).isZero();
    assertThat(RaftAddress.parseListen("0.0.0.0:7000").isWildcard()).isTrue();
    assertThatThrownBy(() -> RaftAddress.parseListen("h:65536"))
        .hasMessageContaining("port out of range 0..65535");
  }

  @Test
  void wildcardsAreAddressesButMarkedUnreachable() {
    assertThat(RaftAddress.parse("0.0.0.0:7000").isWildcard()).isTrue();
    assertThat(RaftAddress.parse("[::]:7000").isWildcard()).isTrue();
    assertThat(RaftAddress.parse("127.0.0.1:7000").isWildcard()).isFalse();
    assertThat(RaftAddress.parse("[::1]:7000").isWildcard()).isFalse();
  }

  @Test
  void theConstructorChecksThePartsItIsGiven() {
    assertThat(new RaftAddress("::1", 7000).toString()).isEqualTo("[::1]:7000");
    assertThatThrownBy(() -> new RaftAddress("[::1]", 7000))
        .hasMessageContaining("brackets only around a whole IPv6 host");
    assertThatThrownBy(() -> new RaftAddress("", 7000)).hasMessageContaining("no host:port");
    assertThatThrownBy(() -> new RaftAddress("h", 65536)).hasMessageContaining("port out of range");
    assertThatThrownBy(() -> new RaftAddress("h", -1)).hasMessageContaining("port out of range");
  }

  @Test
  void formatWritesPartsAnotherParserProducedWithoutCheckingThem() {
    assertThat(RaftAddress.format("::1", 7000)).isEqualTo("[::1]:7000");
    assertThat(RaftAddress.format("10.0.0.1", 7000)).isEqualTo("10.0.0.1:7000");
    assertThat(RaftAddress.format("h", -1)).isEqualTo("h:-1");
  }
}
