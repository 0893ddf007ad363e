package io.graft.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy in front of each member's Raft listen port, able to cut the links between
 * members. Member {@code m}'s advertised Raft address is its frontend here; the frontend forwards
 * to the member's real listen port. The initiator of each connection is identified by a
 * {@link SourceResolver}, so a link {@code a -> b} means "connections that member a opens to
 * member b". A cut closes the matching open connections and closes new ones as soon as they are
 * accepted; a heal lets the members' own reconnect logic bring the links back. A connection whose
 * initiator cannot be identified is refused while any fault could apply to it (fail closed): a
 * cut must never leak through a connection the proxy could not attribute.
 *
 * <p>Bytes are counted per directed link ({@link #bytesForwarded(int, int)}), so a test can show
 * that a cut really stopped the traffic it was meant to stop while the other links kept flowing.
 *
 * <p>Blocking sockets, two pump threads per connection: a handful of Raft links, so simplicity
 * wins over a selector loop.
 */
public final class FaultProxy implements AutoCloseable {
  private final SourceResolver resolver;
  private final Map<Integer, Frontend> frontends = new ConcurrentHashMap<>();
  private final Set<Link> cut = ConcurrentHashMap.newKeySet();
  private final Set<Integer> isolated = ConcurrentHashMap.newKeySet();
  private final List<Pipe> pipes = new CopyOnWriteArrayList<>();
  private final Map<Link, AtomicLong> linkBytes = new ConcurrentHashMap<>();
  private final AtomicLong unidentified = new AtomicLong();
  private volatile boolean closed;

  public FaultProxy(SourceResolver resolver) {
    this.resolver = resolver;
  }

  /** A directed link: connections opened by {@code from} towards {@code to}. */
  public record Link(int from, int to) {}

  /** Starts forwarding 127.0.0.1:{@code listenPort} to 127.0.0.1:{@code targetPort}. */
  public void addFrontend(int member, int listenPort, int targetPort) throws IOException {
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort));
    Frontend frontend = new Frontend(member, server, targetPort);
    frontends.put(member, frontend);
    Thread acceptor = new Thread(frontend::acceptLoop, "fault-proxy-accept-" + member);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Symmetric partition between two members (both directions). */
  public void cut(int a, int b) {
    cut.add(new Link(a, b));
    cut.add(new Link(b, a));
    enforce();
  }

  /** Only connections that {@code from} opens to {@code to} are refused. */
  public void cutOneWay(int from, int to) {
    cut.add(new Link(from, to));
    enforce();
  }

  public void heal(int a, int b) {
    cut.remove(new Link(a, b));
    cut.remove(new Link(b, a));
  }

  /** Cuts every link to and from {@code member}. */
  public void isolate(int member) {
    isolated.add(member);
    enforce();
  }

  public void rejoin(int member) {
    isolated.remove(member);
  }

  public void healAll() {
    cut.clear();
    isolated.clear();
  }

  /**
   * Whether a connection opened by {@code from} (empty: not identified) to {@code to} is cut. An
   * unidentified initiator is blocked whenever some member is isolated or some link into
   * {@code to} is cut: it could be the member the fault is about.
   */
  public boolean blocked(OptionalInt from, int to) {
    if (isolated.contains(to)) {
      return true;
    }
    if (from.isEmpty()) {
      return !isolated.isEmpty() || cut.stream().anyMatch(link -> link.to() == to);
    }
    int source = from.getAsInt();
    return isolated.contains(source) || cut.contains(new Link(source, to));
  }

  /** Bytes forwarded (both directions) by connections into {@code member}'s frontend. */
  public long bytesForwarded(int member) {
    Frontend frontend = frontends.get(member);
    return frontend == null ? 0 : frontend.bytes.get();
  }

  /**
   * Bytes forwarded (both directions) by connections that {@code from} opened to {@code to}, over
   * the proxy's lifetime; {@code from} 0 counts connections whose initiator was not identified.
   */
  public long bytesForwarded(int from, int to) {
    AtomicLong bytes = linkBytes.get(new Link(from, to));
    return bytes == null ? 0 : bytes.get();
  }

  /** Connections accepted whose initiator could not be identified (see {@link #blocked}). */
  public long unidentifiedConnections() {
    return unidentified.get();
  }

  /** The open connections, as links (initiator 0 = not a known member). */
  public List<Link> openLinks() {
    List<Link> links = new ArrayList<>();
    for (Pipe pipe : pipes) {
      links.add(new Link(pipe.from.orElse(0), pipe.to));
    }
    return links;
  }

  private void enforce() {
    for (Pipe pipe : pipes) {
      if (blocked(pipe.from, pipe.to)) {
        pipe.close();
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Frontend frontend : frontends.values()) {
      closeQuietly(frontend.server);
    }
    for (Pipe pipe : pipes) {
      pipe.close();
    }
  }

  private final class Frontend {
    private final int member;
    private final ServerSocket server;
    private final int targetPort;
    private final AtomicLong bytes = new AtomicLong();

    Frontend(int member, ServerSocket server, int targetPort) {
      this.member = member;
      this.server = server;
      this.targetPort = targetPort;
    }

    void acceptLoop() {
      while (!closed) {
        Socket inbound;
        try {
          inbound = server.accept();
        } catch (IOException e) {
          return; // closed
        }
        OptionalInt from = resolver.memberOf(inbound);
        if (from.isEmpty()) {
          unidentified.incrementAndGet();
        }
        if (blocked(from, member)) {
          closeQuietly(inbound);
          continue;
        }
        connect(inbound, from);
      }
    }

    private void connect(Socket inbound, OptionalInt from) {
      Socket outbound = new Socket();
      try {
        outbound.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
        inbound.setTcpNoDelay(true);
        outbound.setTcpNoDelay(true);
      } catch (IOException e) {
        // the member is down: the caller sees a closed connection, as it would without us
        closeQuietly(inbound);
        closeQuietly(outbound);
        return;
      }
      AtomicLong link = linkBytes.computeIfAbsent(new Link(from.orElse(0), member),
          l -> new AtomicLong());
      Pipe pipe = new Pipe(from, member, inbound, outbound, bytes, link);
      pipes.add(pipe);
      if (blocked(from, member)) { // a cut raced with the accept
        pipe.close();
        return;
      }
      pipe.start();
    }
  }

  private final class Pipe {
    private final OptionalInt from;
    private final int to;
    private final Socket inbound;
    private final Socket outbound;
    private final AtomicLong bytes;
    private final AtomicLong linkBytes;

    Pipe(OptionalInt from, int to, Socket inbound, Socket outbound, AtomicLong bytes,
        AtomicLong linkBytes) {
      this.from = from;
      this.to = to;
      this.inbound = inbound;
      this.outbound = outbound;
      this.bytes = bytes;
      this.linkBytes = linkBytes;
    }

    void start() {
      pump(inbound, outbound, "fault-proxy-" + from.orElse(0) + "-" + to + "-up");
      pump(outbound, inbound, "fault-proxy-" + from.orElse(0) + "-" + to + "-down");
    }

    private void pump(Socket source, Socket sink, String name) {
      Thread thread = new Thread(() -> {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = source.getInputStream(); OutputStream out = sink.getOutputStream()) {
          int n;
          while ((n = in.read(buffer)) >= 0) {
            // Counted before the write: whoever receives these bytes must find them counted (a
            // test read an echo before the count of its way back had been added, CI 2026-12-07).
            bytes.addAndGet(n);
            linkBytes.addAndGet(n);
            out.write(buffer, 0, n);
            out.flush();
          }
        } catch (IOException e) {
          // one side closed or the link was cut
        } finally {
          close();
        }
      }, name);
      thread.setDaemon(true);
      thread.start();
    }

    void close() {
      closeQuietly(inbound);
      closeQuietly(outbound);
      pipes.remove(this);
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // closing is best effort
    }
  }
}
