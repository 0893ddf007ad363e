package io.graft.plugin;

import io.graft.raft.api.RaftAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The safe-default rules for the Raft port, decided once at startup (issue 13, docs
 * SECURITY-DESIGN.md "Safe defaults"). A Raft port is a write path into the store that bypasses
 * Neo4j's authentication: a peer that passes the handshake can make followers apply any
 * transaction (core-raft's RoguePeerTest shows it). So:
 *
 * <ul>
 *   <li>{@code exposed}: the listen or advertised address is not a loopback address (a wildcard
 *       or an unresolvable host counts as exposed).
 *   <li>{@code authenticated}: the cluster SSL policy is on, requires client certificates and
 *       does not trust all.
 *   <li>exposed and not authenticated: refuse to start, unless {@code server.raft.require_tls}
 *       is false; then a warning.
 *   <li>exposed with the default cluster id: a warning (another cluster left on the default can
 *       be mistaken for this one, and trusted by the same CA).
 * </ul>
 *
 * @param warnings shown at startup and in {@code raft.status()}'s {@code warnings} column
 * @param refusal the reason startup is refused, or null
 */
record TransportSafety(List<String> warnings, String refusal) {
  static final String REQUIRE_TLS = "server.raft.require_tls";
  static final String POLICY = "dbms.ssl.policy.cluster";

  /**
   * @param tls the cluster SSL policy is enabled
   * @param clientAuthRequired its {@code client_auth} is REQUIRE
   * @param trustAll its {@code trust_all} is true
   * @param defaultClusterId {@code server.raft.cluster_id} is left at its default
   */
  static TransportSafety assess(String listenAddress, String advertisedAddress, boolean tls,
      boolean clientAuthRequired, boolean trustAll, boolean defaultClusterId,
      boolean requireTls) {
    List<String> warnings = new ArrayList<>();
    boolean exposed = !isLoopback(listenAddress) || !isLoopback(advertisedAddress);
    String unauthenticated = null;
    if (!tls) {
      unauthenticated = "the Raft transport runs without TLS (" + POLICY + ".enabled is not true)";
    } else if (!clientAuthRequired) {
      unauthenticated = "the Raft transport does not require member certificates ("
          + POLICY + ".client_auth is not REQUIRE)";
    } else if (trustAll) {
      unauthenticated = "the Raft transport trusts every certificate (" + POLICY
          + ".trust_all=true)";
    }
    String refusal = null;
    if (exposed && unauthenticated != null) {
      String risk = unauthenticated + " on the non-loopback address " + listenAddress
          + (listenAddress.equals(advertisedAddress) ? "" : " (advertised " + advertisedAddress
              + ")") + ": anyone who can reach it can make this member apply any transaction,"
          + " bypassing authentication, and read every replicated write";
      if (requireTls) {
        refusal = "graft: refusing to start: " + risk + ". Enable mutual TLS with " + POLICY
            + ".* (README \"Security\"), or, on a trusted private network only, set "
            + REQUIRE_TLS + "=false";
      } else {
        warnings.add("INSECURE: " + risk + " (" + REQUIRE_TLS + "=false)");
      }
    }
    if (exposed && defaultClusterId) {
      warnings.add("server.raft.cluster_id is left at its default on the non-loopback address "
          + listenAddress + ": give every cluster its own id, so that members of another"
          + " cluster (or one trusted by the same CA) are refused");
    }
    return new TransportSafety(List.copyOf(warnings), refusal);
  }

  /**
   * True for loopback hosts (127.0.0.0/8, ::1, names resolving to them); false for text that is
   * not a host:port address (port 0 allowed, as in a listen address), which counts as exposed.
   */
  static boolean isLoopback(String hostPort) {
    String host;
    try {
      host = RaftAddress.parseListen(hostPort).host();
    } catch (RaftAddress.MalformedAddressException e) {
      return false;
    }
    try {
      InetAddress[] all = InetAddress.getAllByName(host);
      for (InetAddress a : all) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return all.length > 0;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
