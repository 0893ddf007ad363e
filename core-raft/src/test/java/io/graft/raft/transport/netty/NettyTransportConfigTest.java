package io.graft.raft.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.MemberId;
import org.junit.jupiter.api.Test;

/** {@link NettyTransportConfig#validate()} names the offending setting (docs/STYLE.md §3.9). */
class NettyTransportConfigTest {
  private final NettyTransportConfig ok =
      NettyTransportConfig.defaults("127.0.0.1:7000", "c", MemberId.of("a"));

  @Test
  void defaultsAreValid() {
    assertThat(ok.validate()).isSameAs(ok);
    assertThat(ok.maxFrameBytes()).isGreaterThan(16 * 1024 * 1024);
    assertThat(ok.outboundBindHost()).isNull();
    assertThat(ok.withOutboundBindHost("127.0.0.3").validate().outboundBindHost())
        .isEqualTo("127.0.0.3");
    assertThat(NettyTransportConfig.defaults("[::1]:0", "c", MemberId.of("a")).validate())
        .isNotNull();
  }

  @Test
  void invalidSettingsAreRejectedWithTheirName() {
    assertInvalid(ok.withMaxFrameBytes(100), "maxFrameBytes");
    assertInvalid(ok.withOutboundQueueCapacity(0), "outboundQueueCapacity");
    assertInvalid(ok.withReconnectBackoff(0, 10), "reconnectBackoffMinMillis");
    assertInvalid(ok.withReconnectBackoff(100, 10), "reconnectBackoffMaxMillis");
    assertInvalid(ok.withConnectTimeoutMillis(0), "connectTimeoutMillis");
    assertInvalid(ok.withOutboundBindHost(" "), "outboundBindHost");
    assertInvalid(NettyTransportConfig.defaults("nohost", "c", MemberId.of("a")), "host:port");
    assertInvalid(NettyTransportConfig.defaults("h:99999", "c", MemberId.of("a")), "port");
    assertInvalid(NettyTransportConfig.defaults("h:1", " ", MemberId.of("a")), "clusterId");
    assertInvalid(new NettyTransportConfig("h:1", "c", MemberId.of("a"), 4096, 1, 1, 1, 0, 1,
        null), "eventLoopThreads");
  }

  private static void assertInvalid(NettyTransportConfig config, String reason) {
    assertThatThrownBy(config::validate).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(reason);
  }
}
