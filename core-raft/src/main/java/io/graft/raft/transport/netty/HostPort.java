package io.graft.raft.transport.netty;

import java.net.InetSocketAddress;

/** Parses "host:port" and "[v6]:port" into an unresolved address (resolved at connect time). */
final class HostPort {
  private HostPort() {}

  static InetSocketAddress parse(String address) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      throw new IllegalArgumentException("address must be host:port: '" + address + "'");
    }
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad port in address '" + address + "'", e);
    }
    if (port < 0 || port > 65535 || host.isBlank()) {
      throw new IllegalArgumentException("address must be host:port with port 0..65535: '"
          + address + "'");
    }
    return InetSocketAddress.createUnresolved(host, port);
  }
}
