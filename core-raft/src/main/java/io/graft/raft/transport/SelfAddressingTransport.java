package io.graft.raft.transport;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftAddress;
import io.graft.raft.message.RaftMessage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * For members whose id IS their advertised Raft address (graft's plugin): a member that joins later
 * (added with {@code raft.addMember}) or a leader this member was never configured with is
 * reachable without any address book update: the first message to an unknown member whose id is a
 * {@link RaftAddress} adds it to the delegate's peers. Peers set explicitly are kept; nothing is
 * ever removed implicitly (a removed member's connection just idles until the transport closes).
 */
public final class SelfAddressingTransport implements Transport {
  private final Transport delegate;
  private final Map<MemberId, String> peers = new HashMap<>();
  /** Lock-free read on the send path; replaced under the lock. */
  private volatile Map<MemberId, String> known = Map.of();

  public SelfAddressingTransport(Transport delegate) {
    this.delegate = delegate;
  }

  @Override
  public void start(Consumer<RaftMessage> inbound) {
    delegate.start(inbound);
  }

  @Override
  public Executor ownerLoop() {
    return delegate.ownerLoop();
  }

  @Override
  public void flush() {
    delegate.flush();
  }

  @Override
  public synchronized void setPeers(Map<MemberId, String> addresses) {
    peers.clear();
    peers.putAll(addresses);
    known = Map.copyOf(peers);
    delegate.setPeers(known);
  }

  @Override
  public void send(MemberId to, RaftMessage message) {
    if (!known.containsKey(to)) {
      ensurePeer(to);
    }
    delegate.send(to, message);
  }

  /** One message to several members, unknown ones added first; the delegate may encode it once. */
  @Override
  public void send(List<MemberId> to, RaftMessage message) {
    for (MemberId member : to) {
      if (!known.containsKey(member)) {
        ensurePeer(member);
      }
    }
    delegate.send(to, message);
  }

  @Override
  public void onPeerLost(Consumer<MemberId> listener) {
    delegate.onPeerLost(listener);
  }

  private synchronized void ensurePeer(MemberId to) {
    if (!peers.containsKey(to) && RaftAddress.tryParse(to.value()).isPresent()) {
      peers.put(to, to.value());
      known = Map.copyOf(peers);
      delegate.setPeers(known);
    }
  }

  @Override
  public void setEpoch(long epoch) {
    delegate.setEpoch(epoch);
  }

  @Override
  public long peerEpoch(MemberId member) {
    return delegate.peerEpoch(member);
  }

  @Override
  public TransportStats stats() {
    return delegate.stats();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
