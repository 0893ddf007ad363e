package io.graft.raft.protocol;

import io.graft.raft.api.MemberId;
import java.util.ArrayList;
import java.util.List;

/**
 * Not a test: measures the protocol's own CPU cost (3 members, in-memory log and network, one
 * thread), i.e. the ceiling the pure RaftMachine puts on a node before any disk or network.
 * Run: {@code java -cp core-raft/target/classes:core-raft/target/test-classes
 * io.graft.raft.protocol.ProtocolThroughputMain [entries] [payloadBytes] [batch]}.
 */
public final class ProtocolThroughputMain {
  private ProtocolThroughputMain() {}

  public static void main(String[] args) {
    int entries = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
    int payloadBytes = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    for (int round = 0; round < 3; round++) {
      run(entries, payloadBytes, batch, round == 2);
    }
  }

  private static void run(int entries, int payloadBytes, int batch, boolean report) {
    RaftConfig config = new RaftConfig(10, 2, 512, 4L << 20, 64, 256L << 20, true, true);
    Network net = Network.of(3, config);
    MemberId leader = Fixtures.N1;
    net.campaign(leader);
    RaftMachine m = net.machine(leader);
    List<byte[]> payloads = new ArrayList<>();
    for (int i = 0; i < batch; i++) {
      payloads.add(new byte[payloadBytes]);
    }
    long start = System.nanoTime();
    long target = m.lastIndex() + entries;
    while (m.lastIndex() < target) {
      m.propose(payloads);
      net.deliverAll();
    }
    long nanos = System.nanoTime() - start;
    if (report) {
      double seconds = nanos / 1e9;
      System.out.printf(
          "3 members, %d entries of %d B in batches of %d: %.0f entries/s committed, %.1f MB/s,"
              + " %d messages delivered%n",
          entries, payloadBytes, batch, entries / seconds,
          entries * (double) payloadBytes / seconds / 1e6, net.delivered.size());
    }
    net.resetCounts();
  }
}
