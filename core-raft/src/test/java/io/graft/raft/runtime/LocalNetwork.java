package io.graft.raft.runtime;

import io.graft.raft.api.MemberId;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.transport.Transport;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * In-JVM transports that hand each message straight to the receiver's inbound consumer (which only
 * enqueues, per the Transport contract). Members can be isolated to model a partition or a dead
 * node.
 */
final class LocalNetwork {
  private final Map<MemberId, Consumer<RaftMessage>> receivers = new ConcurrentHashMap<>();
  private final Set<MemberId> isolated = ConcurrentHashMap.newKeySet();
  private final AtomicLong delivered = new AtomicLong();
  private volatile Tap tap = (from, to, message) -> {};

  /** Sees every message the network delivers, on the sender's thread. */
  interface Tap {
    void delivered(MemberId from, MemberId to, RaftMessage message);
  }

  Transport transport(MemberId self) {
    return new Transport() {
      private volatile boolean closed;

      @Override
      public void start(Consumer<RaftMessage> inbound) {
        receivers.put(self, inbound);
      }

      @Override
      public void setPeers(Map<MemberId, String> addresses) {}

      @Override
      public void send(MemberId to, RaftMessage message) {
        Consumer<RaftMessage> receiver = receivers.get(to);
        if (closed || receiver == null || isolated.contains(self) || isolated.contains(to)) {
          return;
        }
        delivered.incrementAndGet();
        tap.delivered(self, to, message);
        receiver.accept(message);
      }

      @Override
      public void close() {
        closed = true;
        receivers.remove(self, receivers.get(self));
      }
    };
  }

  void tap(Tap tap) {
    this.tap = tap;
  }

  void isolate(MemberId member) {
    isolated.add(member);
  }

  void heal(MemberId member) {
    isolated.remove(member);
  }

  long delivered() {
    return delivered.get();
  }
}
