package io.graft.raft.api;

import io.netty.handler.ssl.SslContext;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * Mutual TLS for every connection of core-raft's Netty transport, in both directions (Raft
 * messages, handshakes and snapshot chunks all travel inside it). The host supplies the contexts:
 * core-raft knows no certificate files (the Neo4j plugin builds them from Neo4j's own cluster SSL
 * policy). The server context must require a client certificate, or any peer that can reach the
 * port is admitted.
 *
 * <p>The transport asks for a context each time it opens or accepts a connection, so an
 * implementation that reloads changed certificate files makes new trust (or a new own
 * certificate) take effect on the next connection, without a restart. Called on event loop
 * threads: return quickly (e.g. a cached context, re-checked at most every few seconds).
 */
public interface TransportTls {
  /** The context for a connection a peer opened to this member (TLS server side). */
  SslContext serverContext();

  /** The context for a connection this member opens to a peer (TLS client side). */
  SslContext clientContext();

  /** Check that a peer's certificate names the host it was dialled at (RFC 2818 rules). */
  boolean verifyHostname();

  /** Names the configuration for log lines and refusals, e.g. the setting that turns TLS on. */
  String describe();

  /**
   * Whether a peer whose TLS certificate was accepted may speak as {@code member}: null to admit
   * it, else the reason for refusing it. The default admits any member id, so any holder of a
   * trusted certificate may claim any id; a host can bind ids to certificates (e.g. require the
   * certificate to name the host of an address-shaped member id), as hostname verification binds
   * the other direction.
   */
  default String refusePeer(String member, X509Certificate certificate) {
    return null;
  }

  /** Fixed contexts. */
  static TransportTls of(SslContext server, SslContext client, boolean verifyHostname,
      String description) {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(description, "description");
    if (!server.isServer() || !client.isClient()) {
      throw new IllegalArgumentException("expected a server context and a client context");
    }
    return new TransportTls() {
      @Override
      public SslContext serverContext() {
        return server;
      }

      @Override
      public SslContext clientContext() {
        return client;
      }

      @Override
      public boolean verifyHostname() {
        return verifyHostname;
      }

      @Override
      public String describe() {
        return description;
      }
    };
  }
}
