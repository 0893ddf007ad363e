package io.graft.raft.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.api.TransportTls;
import io.graft.raft.message.RaftMessage;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** One started {@link NettyTransport} on 127.0.0.1 whose inbound consumer only enqueues. */
final class LoopbackNode implements AutoCloseable {
  static final String CLUSTER = "test-cluster";

  final MemberId id;
  final NettyTransport transport;
  final BlockingQueue<RaftMessage> inbox = new LinkedBlockingQueue<>();
  final BlockingQueue<String> inboundThreads = new LinkedBlockingQueue<>();

  private LoopbackNode(MemberId id, NettyTransportConfig config, TransportTls tls) {
    this.id = id;
    this.transport = new NettyTransport(config, RaftLogging.slf4j());
    transport.useTls(tls, TestTls.SETTING);
    transport.start(m -> {
      inboundThreads.offer(Thread.currentThread().getName());
      inbox.add(m);
    });
  }

  static LoopbackNode start(String id) {
    return start(id, 0, c -> c);
  }

  static LoopbackNode start(String id, int port, UnaryOperator<NettyTransportConfig> tweak) {
    return start(id, port, null, tweak);
  }

  /** A member under mutual TLS ({@code tls} non-null) or plaintext (null). */
  static LoopbackNode start(String id, TransportTls tls) {
    return start(id, 0, tls, c -> c);
  }

  static LoopbackNode start(String id, int port, TransportTls tls,
      UnaryOperator<NettyTransportConfig> tweak) {
    NettyTransportConfig config = NettyTransportConfig
        .defaults("127.0.0.1:" + port, CLUSTER, MemberId.of(id))
        .withReconnectBackoff(10, 200);
    return new LoopbackNode(MemberId.of(id), tweak.apply(config), tls);
  }

  String address() {
    return "127.0.0.1:" + port();
  }

  int port() {
    return transport.localAddress().getPort();
  }

  /** The next inbound message, failing the test after 10 s. */
  RaftMessage receive() throws InterruptedException {
    RaftMessage m = inbox.poll(10, TimeUnit.SECONDS);
    assertThat(m).as("%s received a message within 10 s", id).isNotNull();
    return m;
  }

  @Override
  public void close() {
    transport.close();
  }
}
