package io.graft.cluster.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neo4j.configuration.Config;
import org.neo4j.configuration.ssl.SslPolicyConfig;
import org.neo4j.configuration.ssl.SslPolicyScope;
import org.neo4j.io.fs.DefaultFileSystemAbstraction;
import org.neo4j.logging.NullLogProvider;
import org.neo4j.ssl.SslPolicy;
import org.neo4j.ssl.config.SslPolicyLoader;

/**
 * The JDK-only CA issues certificates that (1) the JDK's PKIX validator chains to the CA and
 * rejects under another CA, (2) Neo4j 5.26's own {@link SslPolicyLoader} loads from the directory
 * layout {@link CertificateAuthority#writePolicyDirectory} writes, and (3) complete a mutual TLS
 * handshake with hostname verification on loopback, while a member of another CA is refused.
 */
class CertificateAuthorityTest {
  private static final Duration DAY = Duration.ofDays(1);

  @TempDir Path tmp;

  @Test
  void memberCertificateChainsToItsCaOnlyAndNamesItsHosts() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("test-ca", DAY);
    CertificateAuthority other = CertificateAuthority.create("other-ca", DAY);
    CertificateAuthority.Issued member = ca.issue("member-1", List.of("127.0.0.1", "localhost"),
        DAY);
    X509Certificate cert = member.certificate();

    cert.verify(ca.certificate().getPublicKey());
    assertThat(cert.getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
    assertThat(cert.getSubjectX500Principal().getName()).contains("CN=member-1");
    assertThat(cert.getSubjectAlternativeNames())
        .containsExactlyInAnyOrder(List.of(7, "127.0.0.1"), List.of(2, "localhost"));
    assertThat(cert.getExtendedKeyUsage())
        .containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(cert.getBasicConstraints()).isEqualTo(-1);
    assertThat(ca.certificate().getBasicConstraints()).isEqualTo(Integer.MAX_VALUE);
    cert.checkValidity();

    validate(cert, ca.certificate());
    assertThatThrownBy(() -> validate(cert, other.certificate()))
        .isInstanceOf(CertPathValidatorException.class);
  }

  /**
   * A CA loaded back from its files (what {@code ./graft cluster add} and a TLS cluster's joiner
   * use) issues certificates that chain to it: they named the file ("ca") as their issuer and
   * every member refused them as untrusted.
   */
  @Test
  void aCaLoadedFromItsFilesIssuesCertificatesThatChainToIt() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("graft-local-ca", DAY);
    CertificateAuthority.writeCertificate(tmp.resolve("ca.crt"), ca.certificate());
    CertificateAuthority.writePrivateKey(tmp.resolve("ca.key"), ca.privateKey());
    CertificateAuthority loaded =
        CertificateAuthority.load(tmp.resolve("ca.crt"), tmp.resolve("ca.key"));
    X509Certificate cert = loaded.issue("member-4", List.of("127.0.0.1"), DAY).certificate();
    assertThat(cert.getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
    validate(cert, ca.certificate());
  }

  @Test
  void neo4jsOwnPolicyLoaderLoadsTheLayoutAndMutualTlsWorksOnlyWithinTheCa() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("cluster-ca", DAY);
    CertificateAuthority rogueCa = CertificateAuthority.create("rogue-ca", DAY);
    SslPolicy server = policy("server", ca, ca);
    SslPolicy client = policy("client", ca, ca);
    SslPolicy rogue = policy("rogue", rogueCa, rogueCa);
    assertThat(server.getClientAuth().name()).isEqualTo("REQUIRE");
    assertThat(server.certificateChain()).hasSize(1);

    assertThat(handshake(server, client)).isEqualTo("CN=client,O=graft");
    assertThatThrownBy(() -> handshake(server, rogue)).isInstanceOf(SSLHandshakeException.class)
        .hasMessageContaining("PKIX path building failed");
  }

  private SslPolicy policy(String name, CertificateAuthority issuer, CertificateAuthority trusted) {
    Path base = tmp.resolve(name);
    issuer.writePolicyDirectory(base, issuer.issue(name, List.of("127.0.0.1"), DAY));
    if (trusted != issuer) {
      trusted.writePolicyDirectory(base, trusted.issue(name, List.of("127.0.0.1"), DAY));
    }
    SslPolicyConfig cluster = SslPolicyConfig.forScope(SslPolicyScope.CLUSTER);
    Config config = Config.newBuilder()
        .set(Map.of(cluster.enabled, true, cluster.base_directory, base,
            cluster.verify_hostname, true))
        .build();
    return SslPolicyLoader.create(new DefaultFileSystemAbstraction(), config,
        NullLogProvider.getInstance()).getPolicy(SslPolicyScope.CLUSTER);
  }

  /** One mutual-TLS handshake on loopback; returns the client subject the server saw. */
  private static String handshake(SslPolicy server, SslPolicy client) throws Exception {
    SSLContext serverContext = jdkContext(server);
    SSLContext clientContext = jdkContext(client);
    try (SSLServerSocket listener = (SSLServerSocket) serverContext.getServerSocketFactory()
        .createServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      listener.setNeedClientAuth(true);
      CompletableFuture<String> accepted = CompletableFuture.supplyAsync(() -> {
        try (SSLSocket s = (SSLSocket) listener.accept()) {
          s.setSoTimeout(10_000);
          s.startHandshake();
          InputStream in = s.getInputStream();
          in.read();
          return ((X509Certificate) s.getSession().getPeerCertificates()[0])
              .getSubjectX500Principal().getName();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      try (SSLSocket s = (SSLSocket) clientContext.getSocketFactory()
          .createSocket("127.0.0.1", listener.getLocalPort())) {
        s.setSoTimeout(10_000);
        var params = s.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(params);
        s.startHandshake();
        OutputStream out = s.getOutputStream();
        out.write(1);
        out.flush();
        return accepted.get(20, TimeUnit.SECONDS);
      } finally {
        accepted.cancel(true);
      }
    }
  }

  private static SSLContext jdkContext(SslPolicy policy) throws Exception {
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(policy.getKeyStore(new char[0], new char[0]), new char[0]);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), policy.getTrustManagerFactory().getTrustManagers(), null);
    return context;
  }

  private static void validate(X509Certificate cert, X509Certificate anchor) throws Exception {
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX").validate(
        CertificateFactory.getInstance("X.509").generateCertPath(List.of(cert)), params);
  }
}
