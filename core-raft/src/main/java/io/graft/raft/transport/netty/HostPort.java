package io.graft.raft.transport.netty;

import io.graft.raft.api.RaftAddress;
import java.net.InetSocketAddress;

/**
 * A {@link RaftAddress} (the one host:port parser) as Netty's socket address, unresolved: a host
 * name is resolved at connect time, so a member whose address changes is found again.
 */
final class HostPort {
  private HostPort() {}

  /** An address to connect to (port 1..65535). */
  static InetSocketAddress peer(String address) {
    return unresolved(RaftAddress.parse(address));
  }

  /** An address to bind (port 0 means any free port). */
  static InetSocketAddress listen(String address) {
    return unresolved(RaftAddress.parseListen(address));
  }

  private static InetSocketAddress unresolved(RaftAddress address) {
    return InetSocketAddress.createUnresolved(address.host(), address.port());
  }
}
