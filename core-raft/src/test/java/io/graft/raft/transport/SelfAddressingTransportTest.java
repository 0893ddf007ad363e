package io.graft.raft.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.raft.api.MemberId;
import io.graft.raft.message.Heartbeat;
import io.graft.raft.message.RaftMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** A member never configured (e.g. added later) is reachable at its id, which is its address. */
class SelfAddressingTransportTest {
  private final List<Map<MemberId, String>> peerBooks = new ArrayList<>();
  private final List<MemberId> sentTo = new ArrayList<>();
  private final Transport recorder = new Transport() {
    @Override
    public void start(Consumer<RaftMessage> inbound) {}

    @Override
    public void setPeers(Map<MemberId, String> addresses) {
      peerBooks.add(addresses);
    }

    @Override
    public void send(MemberId to, RaftMessage message) {
      sentTo.add(to);
    }

    @Override
    public void send(List<MemberId> to, RaftMessage message) {
      sharedSends.add(List.copyOf(to));
    }

    @Override
    public void onPeerLost(Consumer<MemberId> listener) {
      lostListener = listener;
    }

    @Override
    public void close() {}
  };
  private final List<List<MemberId>> sharedSends = new ArrayList<>();
  private Consumer<MemberId> lostListener;

  /**
   * What a wrapper must not lose: one message to several members stays one send (the delegate
   * encodes it once) and the lost-connection listener reaches the delegate.
   */
  @Test
  void sharedSendsAndTheLostConnectionListenerReachTheDelegate() {
    SelfAddressingTransport t = new SelfAddressingTransport(recorder);
    MemberId a = MemberId.of("10.0.0.1:7000");
    MemberId d = MemberId.of("10.0.0.4:7000");
    t.setPeers(Map.of(a, "10.0.0.1:7000"));
    t.send(List.of(a, d), heartbeat());
    assertThat(sharedSends).containsExactly(List.of(a, d));
    assertThat(peerBooks.get(peerBooks.size() - 1)).containsKey(d);
    Consumer<MemberId> listener = m -> {};
    t.onPeerLost(listener);
    assertThat(lostListener).isSameAs(listener);
  }

  @Test
  void firstMessageToAnUnknownMemberAddsItOnce() {
    SelfAddressingTransport t = new SelfAddressingTransport(recorder);
    MemberId a = MemberId.of("10.0.0.1:7000");
    MemberId d = MemberId.of("10.0.0.4:7000");
    t.setPeers(Map.of(a, "10.0.0.1:7000"));
    t.send(a, heartbeat());
    assertThat(peerBooks).hasSize(1);
    t.send(d, heartbeat());
    t.send(d, heartbeat());
    assertThat(peerBooks).hasSize(2);
    assertThat(peerBooks.get(1)).containsEntry(a, "10.0.0.1:7000").containsEntry(d, d.value());
    assertThat(sentTo).containsExactly(a, d, d);
  }

  @Test
  void idsThatAreNotAddressesAreNeverDialled() {
    SelfAddressingTransport t = new SelfAddressingTransport(recorder);
    t.send(MemberId.of("not-an-address"), heartbeat());
    assertThat(peerBooks).isEmpty();
  }

  private static Heartbeat heartbeat() {
    return new Heartbeat(MemberId.of("10.0.0.2:7000"), 1, 0, 0);
  }
}
