package io.graft.it.process;

import io.graft.cluster.LocalCluster;
import io.graft.cluster.Waits;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Bolt "write endpoint" for the workloads while {@code neo4j://} routing to the leader is not
 * implemented: a TCP forwarder on 127.0.0.1 that sends each new connection to the member that
 * currently reports {@code LEADER} in {@code raft.status()} (polled every 200 ms). When the
 * leader changes, connections to the former leader are cut, so pooled driver connections fail
 * with a connection error (which the driver retries, or the workload records as unknown) instead
 * of answering NotALeader forever. With no leader known, a new connection waits up to 3 s for
 * one, then is closed.
 */
final class LeaderForwarder implements Closeable {
  private static final int NO_LEADER = -1;
  private static final Duration LEADER_WAIT = Duration.ofSeconds(3);
  private final LocalCluster cluster;
  private final ServerSocket server;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private volatile int leader = NO_LEADER;
  private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "leader-forwarder-poll");
    t.setDaemon(true);
    return t;
  });

  LeaderForwarder(LocalCluster cluster) throws IOException {
    this.cluster = cluster;
    this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    daemon("leader-forwarder-accept", this::acceptLoop);
    poller.scheduleWithFixedDelay(this::poll, 0, 200, TimeUnit.MILLISECONDS);
  }

  URI uri() {
    return URI.create("bolt://127.0.0.1:" + server.getLocalPort());
  }

  private static void daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
  }

  /**
   * Every 200 ms: the member reporting {@code LEADER} in the highest term ({@link
   * LocalCluster#findLeader}: a leader cut off from the others keeps reporting {@code LEADER} in
   * its old term until CheckQuorum deposes it); connections to any other member are closed.
   */
  private void poll() {
    try {
      int found = cluster.findLeader().orElse(NO_LEADER);
      if (found != leader) {
        leader = found;
        for (Link link : links) {
          if (link.member != found) {
            link.close();
          }
        }
      }
    } catch (RuntimeException e) {
      // a member vanished mid-poll: the next poll looks again
    }
  }

  private void acceptLoop() {
    while (running.get()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      daemon("leader-forwarder-connect", () -> connect(client));
    }
  }

  /**
   * Holds a new connection up to {@link #LEADER_WAIT} for a leader to be known (an election after
   * a crash takes a few election timeouts, §5.2), so clients wait instead of failing at once;
   * the driver's 5 s connection timeout still bounds it on the client side.
   */
  private void connect(Socket client) {
    Waits.within(LEADER_WAIT, Duration.ofMillis(50), () -> leader != NO_LEADER || !running.get());
    int target = leader;
    if (target == NO_LEADER) {
      closeQuietly(client);
      return;
    }
    try {
      Socket upstream = new Socket();
      upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(),
          cluster.layout().member(target).boltPort()), 2_000);
      Link link = new Link(target, client, upstream);
      links.add(link);
      daemon("forward-up", () -> link.pump(client, upstream));
      daemon("forward-down", () -> link.pump(upstream, client));
    } catch (IOException e) {
      closeQuietly(client);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // nothing to do: the peer sees a closed connection either way
    }
  }

  @Override
  public void close() {
    running.set(false);
    poller.shutdownNow();
    try {
      server.close();
    } catch (IOException ignored) {
      // the accept loop ends on the exception
    }
    links.forEach(Link::close);
  }

  /** One client connection and its upstream connection to a member. */
  private final class Link {
    private final int member;
    private final Socket client;
    private final Socket upstream;

    Link(int member, Socket client, Socket upstream) {
      this.member = member;
      this.client = client;
      this.upstream = upstream;
    }

    void pump(Socket from, Socket to) {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException ignored) {
        // a side closed or was killed: close both below
      } finally {
        close();
      }
    }

    void close() {
      links.remove(this);
      closeQuietly(client);
      closeQuietly(upstream);
    }
  }
}
