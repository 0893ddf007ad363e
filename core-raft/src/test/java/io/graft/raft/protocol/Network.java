package io.graft.raft.protocol;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Role;
import io.graft.raft.message.Envelope;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.storage.memory.InMemoryLogStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * An in-memory network of {@link Node}s in the style of etcd-io/raft {@code network.send}: messages
 * are delivered FIFO until none is left, through optional filters (cut links, isolated members, a
 * per-message drop predicate). Deterministic; every delivered message is also recorded.
 */
final class Network {
  final Map<MemberId, Node> nodes = new LinkedHashMap<>();
  private final Set<List<MemberId>> cut = new HashSet<>();
  private Predicate<Envelope> drop = e -> false;
  final List<Envelope> delivered = new ArrayList<>();
  final Map<Class<?>, Integer> deliveredByType = new HashMap<>();
  private final ArrayDeque<Envelope> queue = new ArrayDeque<>();

  static Network of(int size, RaftConfig config) {
    Network net = new Network();
    Set<MemberId> voters = Fixtures.ids(size);
    for (MemberId id : voters) {
      net.add(new Node(id, config, voters, new InMemoryLogStore(), HardState.EMPTY, id.hashCode()));
    }
    return net;
  }

  /** Members with given logs (one array of terms per member) and hard-state terms. */
  static Network withLogs(RaftConfig config, long[] hardTerms, long[]... logs) {
    Network net = new Network();
    Set<MemberId> voters = Fixtures.ids(logs.length);
    int i = 0;
    for (MemberId id : voters) {
      InMemoryLogStore store = Fixtures.store(logs[i]);
      net.add(
          new Node(id, config, voters, store, new HardState(hardTerms[i], null, 0), 31L * i + 7));
      i++;
    }
    return net;
  }

  void add(Node node) {
    nodes.put(node.id, node);
  }

  Node node(MemberId id) {
    return nodes.get(id);
  }

  RaftMachine machine(MemberId id) {
    return nodes.get(id).machine;
  }

  void cut(MemberId a, MemberId b) {
    cut.add(List.of(a, b));
    cut.add(List.of(b, a));
  }

  void isolate(MemberId id) {
    for (MemberId other : nodes.keySet()) {
      if (!other.equals(id)) {
        cut(id, other);
      }
    }
  }

  void heal() {
    cut.clear();
    drop = e -> false;
  }

  void dropWhen(Predicate<Envelope> predicate) {
    drop = predicate;
  }

  /** Ticks one member until it starts a (pre-)election, then delivers everything. */
  void campaign(MemberId id) {
    RaftMachine m = machine(id);
    boolean started = false;
    for (int i = 0; i < 2 * Fixtures.ELECTION + 1 && !started; i++) {
      m.tick();
      started = m.role() == Role.LEADER || (isCampaigning(m) && m.electionElapsed == 0);
    }
    if (!started) {
      throw new AssertionError(id + " did not campaign within 2 election timeouts");
    }
    deliverAll();
  }

  private static boolean isCampaigning(RaftMachine m) {
    return m.role() == Role.PRE_CANDIDATE || m.role() == Role.CANDIDATE;
  }

  void tickAll(int ticks) {
    for (int t = 0; t < ticks; t++) {
      for (Node n : nodes.values()) {
        n.machine.tick();
      }
      deliverAll();
    }
  }

  void step(MemberId to, RaftMessage message) {
    node(to).machine.step(message);
    deliverAll();
  }

  /** Processes every Ready and delivers messages until the network is quiet (bounded). */
  void deliverAll() {
    collect();
    int budget = 1_000_000;
    while (!queue.isEmpty()) {
      if (--budget == 0) {
        throw new AssertionError("network did not quiesce");
      }
      Envelope e = queue.poll();
      Node target = nodes.get(e.to());
      if (target == null || cut.contains(List.of(e.message().from(), e.to())) || drop.test(e)) {
        continue;
      }
      delivered.add(e);
      deliveredByType.merge(e.message().getClass(), 1, Integer::sum);
      target.machine.step(e.message());
      collect();
    }
  }

  private void collect() {
    for (Node n : nodes.values()) {
      queue.addAll(n.processReady());
    }
  }

  int count(Class<? extends RaftMessage> type) {
    return deliveredByType.getOrDefault(type, 0);
  }

  void resetCounts() {
    delivered.clear();
    deliveredByType.clear();
  }
}
