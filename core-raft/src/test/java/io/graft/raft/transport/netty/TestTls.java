package io.graft.raft.transport.netty;

import io.graft.cluster.tls.CertificateAuthority;
import io.graft.raft.api.TransportTls;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Certificates and TLS contexts for the transport tests: members' certificates come from the
 * JDK-only throwaway CA of local-cluster (the one {@code ./graft cluster start --tls} uses), the
 * contexts are built the way Neo4j's {@code SslPolicy} builds them (JDK provider, client
 * certificate required on the server side).
 */
public final class TestTls {
  /** The setting name refusals tell the operator to change. */
  public static final String SETTING = "test.tls.enabled";

  static final Duration DAY = Duration.ofDays(1);

  private TestTls() {}

  public static CertificateAuthority ca(String name) {
    return CertificateAuthority.create(name, DAY);
  }

  public static CertificateAuthority.Issued member(CertificateAuthority ca, String name) {
    return ca.issue(name, List.of("127.0.0.1", "localhost"), DAY);
  }

  /** Mutual TLS presenting {@code own} and trusting certificates signed by {@code trusted}. */
  public static TransportTls tls(CertificateAuthority.Issued own, X509Certificate... trusted) {
    return tls(own, true, trusted);
  }

  public static TransportTls tls(CertificateAuthority.Issued own, boolean verifyHostname,
      X509Certificate... trusted) {
    try {
      SslContext server = SslContextBuilder.forServer(own.privateKey(), own.certificate())
          .sslProvider(SslProvider.JDK).clientAuth(ClientAuth.REQUIRE).trustManager(trusted)
          .protocols("TLSv1.3", "TLSv1.2").build();
      SslContext client = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
          .keyManager(own.privateKey(), own.certificate()).trustManager(trusted)
          .protocols("TLSv1.3", "TLSv1.2").build();
      return TransportTls.of(server, client, verifyHostname, TestTls.SETTING + " policy");
    } catch (SSLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * TLS whose contexts are {@code current}'s at each connection (a host that reloads its files),
   * and whose member-id check is {@code refusePeer}.
   */
  static TransportTls following(Supplier<TransportTls> current,
      BiFunction<String, X509Certificate, String> refusePeer) {
    return new TransportTls() {
      @Override
      public SslContext serverContext() {
        return current.get().serverContext();
      }

      @Override
      public SslContext clientContext() {
        return current.get().clientContext();
      }

      @Override
      public boolean verifyHostname() {
        return true;
      }

      @Override
      public String describe() {
        return SETTING + " (following)";
      }

      @Override
      public String refusePeer(String member, X509Certificate certificate) {
        return refusePeer.apply(member, certificate);
      }
    };
  }

  /**
   * A blocking TLS socket to {@code port} presenting {@code own} (null: no certificate), which
   * trusts any server, as a rogue would; the TLS handshake has completed when this returns.
   */
  static SSLSocket rogueSocket(int port, CertificateAuthority.Issued own) throws IOException {
    SSLSocket socket = (SSLSocket) rogueContext(own).getSocketFactory().createSocket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    socket.setSoTimeout(10_000);
    socket.startHandshake();
    return socket;
  }

  private static SSLContext rogueContext(CertificateAuthority.Issued own) {
    try {
      return context(own);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static SSLContext context(CertificateAuthority.Issued own)
      throws GeneralSecurityException, IOException {
    KeyManagerFactory keys = null;
    if (own != null) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("own", own.privateKey(), new char[0],
          new X509Certificate[] {own.certificate()});
      keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, new char[0]);
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys == null ? null : keys.getKeyManagers(), new TrustManager[] {trustAll()},
        null);
    return context;
  }

  private static X509TrustManager trustAll() {
    return new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
  }
}
