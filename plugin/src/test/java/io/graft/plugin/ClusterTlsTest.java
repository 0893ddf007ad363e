package io.graft.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.graft.cluster.tls.CertificateAuthority;
import io.netty.handler.ssl.SslContext;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neo4j.configuration.Config;
import org.neo4j.configuration.ssl.SslPolicyConfig;
import org.neo4j.configuration.ssl.SslPolicyScope;
import org.neo4j.graphdb.config.Setting;
import org.neo4j.logging.NullLogProvider;
import org.neo4j.logging.log4j.Log4jLogProvider;

/**
 * The Raft transport's TLS as Neo4j's own policy loader builds it from dbms.ssl.policy.cluster.*:
 * the defaults (client certificates required), a clear startup failure naming the policy, member
 * ids bound to certificates with verify_hostname, and rotation: a changed file reloads the policy
 * for the next connection, a broken one keeps the previous policy.
 */
class ClusterTlsTest {
  private static final Duration DAY = Duration.ofDays(1);
  private static final SslPolicyConfig POLICY = SslPolicyConfig.forScope(SslPolicyScope.CLUSTER);

  @TempDir Path tmp;

  private Config config(Path base, boolean verifyHostname) {
    Map<Setting<?>, Object> settings = new HashMap<>();
    settings.put(POLICY.enabled, true);
    settings.put(POLICY.base_directory, base);
    settings.put(POLICY.verify_hostname, verifyHostname);
    return Config.newBuilder().set(settings).build();
  }

  private Path policyDirectory(CertificateAuthority ca, String... hosts) {
    Path base = tmp.resolve("cluster");
    ca.writePolicyDirectory(base, ca.issue("member", List.of(hosts), DAY));
    return base;
  }

  @Test
  void loadsTheClusterPolicyWithNeo4jsDefaults() {
    CertificateAuthority ca = CertificateAuthority.create("ca", DAY);
    Config config = config(policyDirectory(ca, "127.0.0.1"), true);
    assertThat(ClusterTls.enabled(config)).isTrue();
    ClusterTls tls = ClusterTls.load(config, NullLogProvider.getInstance());
    assertThat(tls.clientAuthRequired()).as("client_auth defaults to REQUIRE").isTrue();
    assertThat(tls.trustAll()).isFalse();
    assertThat(tls.serverContext().isServer()).isTrue();
    assertThat(tls.clientContext().isClient()).isTrue();
    assertThat(tls.verifyHostname()).isTrue();
    assertThat(tls.describe()).contains("dbms.ssl.policy.cluster").contains("client_auth REQUIRE");
  }

  @Test
  void withoutAnyPolicySettingTheTransportIsPlaintext() {
    // No dbms.ssl.policy.cluster.* line at all: the group does not exist in the config.
    assertThat(ClusterTls.enabled(Config.defaults())).isFalse();
    Config off = Config.newBuilder().set(POLICY.enabled, false).build();
    assertThat(ClusterTls.enabled(off)).isFalse();
  }

  @Test
  void aPolicyThatCannotLoadStopsStartupNamingThePolicyAndNeo4jsReason() {
    Config missing = config(tmp.resolve("nowhere"), false);
    assertThatThrownBy(() -> ClusterTls.load(missing, NullLogProvider.getInstance()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dbms.ssl.policy.cluster")
        .hasMessageContaining("does not exist");
    CertificateAuthority ca = CertificateAuthority.create("ca", DAY);
    Path base = policyDirectory(ca, "127.0.0.1");
    try (var files = Files.list(base.resolve("trusted"))) {
      files.forEach(f -> f.toFile().delete());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    assertThatThrownBy(() -> ClusterTls.load(config(base, false), NullLogProvider.getInstance()))
        .hasMessageContaining("no trust anchors");
  }

  @Test
  void withVerifyHostnameAMemberIdMustBeNamedByItsCertificate() {
    CertificateAuthority ca = CertificateAuthority.create("ca", DAY);
    ClusterTls tls = ClusterTls.load(config(policyDirectory(ca, "127.0.0.1"), true),
        NullLogProvider.getInstance());
    var cert = ca.issue("m", List.of("10.0.0.7", "db7.example.org"), DAY).certificate();
    assertThat(tls.refusePeer("10.0.0.7:7000", cert)).isNull();
    assertThat(tls.refusePeer("db7.example.org:7000", cert)).isNull();
    assertThat(tls.refusePeer("DB7.example.org:7000", cert)).isNull();
    assertThat(tls.refusePeer("10.0.0.8:7000", cert)).contains("does not name 10.0.0.8")
        .contains("member id 10.0.0.8:7000").contains("verify_hostname=true");
    ClusterTls lax = ClusterTls.load(config(tmp.resolve("cluster"), false),
        NullLogProvider.getInstance());
    assertThat(lax.refusePeer("10.0.0.8:7000", cert)).isNull();
  }

  /** Member ids are read by RaftAddress: an IPv6 literal in brackets is matched without them. */
  @Test
  void withVerifyHostnameAnIpv6MemberIdIsMatchedByItsAddressNotItsText() {
    CertificateAuthority ca = CertificateAuthority.create("ca", DAY);
    ClusterTls tls = ClusterTls.load(config(policyDirectory(ca, "127.0.0.1"), true),
        NullLogProvider.getInstance());
    var cert = ca.issue("m", List.of("fd00::7"), DAY).certificate();
    assertThat(tls.refusePeer("[fd00::7]:7000", cert)).isNull();
    assertThat(tls.refusePeer("[fd00:0:0:0:0:0:0:7]:7000", cert)).isNull();
    assertThat(tls.refusePeer("[fd00::8]:7000", cert)).contains("does not name fd00::8")
        .contains("member id [fd00::8]:7000");
    assertThat(tls.refusePeer("fd00::7", cert)).contains("not a host:port address");
  }

  @Test
  void aChangedFileReloadsThePolicyAndABrokenOneKeepsThePrevious() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("ca", DAY);
    Path base = policyDirectory(ca, "127.0.0.1");
    ByteArrayOutputStream logged = new ByteArrayOutputStream();
    ClusterTls tls = ClusterTls.load(config(base, true), new Log4jLogProvider(logged));
    SslContext first = tls.serverContext();

    CertificateAuthority second = CertificateAuthority.create("second-ca", DAY);
    CertificateAuthority.writeCertificate(base.resolve("trusted").resolve("second-ca.crt"),
        second.certificate());
    SslContext reloaded = await().atMost(Duration.ofSeconds(10))
        .until(tls::serverContext, c -> c != first);
    assertThat(logged.toString()).contains("changed on disk and was reloaded");

    Path broken = base.resolve("trusted").resolve("broken.crt");
    Files.writeString(broken, "-----BEGIN CERTIFICATE-----\nnot base64\n");
    Files.setLastModifiedTime(broken, FileTime.fromMillis(System.currentTimeMillis()));
    // Past the one-second re-check the broken file is read and refused: the policy stays.
    await().atMost(Duration.ofSeconds(10)).until(() -> tls.serverContext() != null
        && logged.toString().contains("cannot be loaded"));
    assertThat(logged.toString()).contains("keep using the previous one")
        .contains("broken.crt");
    assertThat(tls.serverContext()).isSameAs(reloaded);
  }
}
