package io.graft.raft.transport.netty;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.message.AppendEntries;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.LogEntry;
import io.graft.raft.transport.MessageCodec;
import io.graft.raft.transport.TransportStats;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Quick loopback throughput: member a sends AppendEntries carrying one 1 KiB entry to member b for
 * a fixed time. A semaphore bounds messages in flight below the outbound queue capacity, so the
 * number measures delivery, not drops. Not a test; run by hand:
 * {@code java -cp <test classpath> io.graft.raft.transport.netty.TransportThroughput [seconds]}.
 */
public final class TransportThroughput {
  private TransportThroughput() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int payloadBytes = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
    int window = 2048;
    Semaphore inFlight = new Semaphore(window);
    AtomicLong received = new AtomicLong();
    MemberId aId = MemberId.of("a");
    MemberId bId = MemberId.of("b");
    try (NettyTransport b = new NettyTransport(
            NettyTransportConfig.defaults("127.0.0.1:0", "bench", bId), RaftLogging.slf4j());
        NettyTransport a = new NettyTransport(
            NettyTransportConfig.defaults("127.0.0.1:0", "bench", aId), RaftLogging.slf4j())) {
      b.start(m -> {
        received.incrementAndGet();
        inFlight.release();
      });
      a.start(m -> { });
      a.setPeers(Map.of(bId, "127.0.0.1:" + b.localAddress().getPort()));
      byte[] payload = new byte[payloadBytes];
      long index = 1;
      int wireBytes = new MessageCodec().encode(message(aId, index, payload)).length + 8;
      long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      long start = 0;
      long startCount = 0;
      long end = warmupEnd + TimeUnit.SECONDS.toNanos(seconds);
      while (System.nanoTime() < end) {
        if (start == 0 && System.nanoTime() >= warmupEnd) {
          start = System.nanoTime();
          startCount = received.get();
        }
        if (inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          a.send(bId, message(aId, index++, payload));
        }
      }
      long elapsed = System.nanoTime() - start;
      long count = received.get() - startCount;
      double perSecond = count * 1e9 / elapsed;
      TransportStats stats = a.stats();
      System.out.printf("payload %d B, frame %d B: %.0f msg/s, %.1f MB/s payload, %.1f MB/s wire"
              + " (%d msgs in %.1f s; sent=%d dropped=%d)%n", payloadBytes, wireBytes,
          perSecond, perSecond * payloadBytes / 1e6, perSecond * wireBytes / 1e6, count,
          elapsed / 1e9, stats.messagesSent(), stats.outboundDropped());
    }
  }

  private static AppendEntries message(MemberId from, long index, byte[] payload) {
    return new AppendEntries(from, 1, index - 1, 1,
        List.of(new LogEntry(1, index, EntryType.APPLICATION, payload)), index - 1);
  }
}
