package io.graft.raft.transport.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.ThreadFactory;

/**
 * Which Netty transport the Raft links use: Linux's native epoll when its library loads (Neo4j's
 * lib ships it, and Neo4j's own Bolt server uses it), Java NIO otherwise. Both behave the same to
 * graft; epoll spends less CPU per message (no selector key sets, fewer copies and locks), which
 * a member pays for every AppendEntries, acknowledgement and commit notice. {@code
 * -Dgraft.ab.nio=true} forces NIO (side-by-side benchmarks).
 */
final class Channels {
  /** Whether the native transport is used (decided once per JVM). */
  static final boolean EPOLL = epoll();

  private Channels() {}

  private static boolean epoll() {
    if (Boolean.getBoolean("graft.ab.nio")) {
      return false;
    }
    try {
      return Epoll.isAvailable();
    } catch (LinkageError e) {
      return false; // the classes or the native library are missing: NIO
    }
  }

  static EventLoopGroup group(int threads, ThreadFactory threadFactory) {
    return EPOLL ? new EpollEventLoopGroup(threads, threadFactory)
        : new NioEventLoopGroup(threads, threadFactory);
  }

  static Class<? extends SocketChannel> socket() {
    return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  static Class<? extends ServerSocketChannel> serverSocket() {
    return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  /** "epoll" or "nio", for the start line. */
  static String name() {
    return EPOLL ? "epoll" : "nio";
  }
}
