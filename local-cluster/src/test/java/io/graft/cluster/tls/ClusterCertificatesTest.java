package io.graft.cluster.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.cluster.ClusterOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./graft cluster start --tls}'s files: each member's policy folder where Neo4j's cluster
 * policy looks by default, the two settings added to every member, the CA kept in the cluster
 * folder (key readable by its owner only) and reused by a later start, so members issued before
 * and after trust one another; a member that already has certificates keeps them.
 */
class ClusterCertificatesTest {
  @TempDir Path tmp;

  @Test
  void laysOutEveryMembersPolicyAndReusesTheClustersCa() throws Exception {
    assertThat(ClusterCertificates.isTlsCluster(tmp)).isFalse();
    ClusterCertificates first = ClusterCertificates.create(tmp, "local-ca");
    assertThat(ClusterCertificates.isTlsCluster(tmp)).as("TLS sticks to the folder").isTrue();
    Path home1 = tmp.resolve("member-1");
    assertThat(first.issue(home1, "member-1", List.of("127.0.0.1", "localhost"))).isTrue();
    Path base = home1.resolve(ClusterCertificates.POLICY_DIRECTORY);
    assertThat(base.resolve("private.key")).exists();
    assertThat(base.resolve("public.crt")).exists();
    assertThat(base.resolve("trusted").resolve("local-ca.crt")).exists();
    assertThat(base.resolve("revoked")).isDirectory();
    assertThat(Files.getPosixFilePermissions(first.directory().resolve("ca.key")))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);
    byte[] key1 = Files.readAllBytes(base.resolve("private.key"));
    assertThat(first.issue(home1, "member-1", List.of("127.0.0.1"))).as("kept").isFalse();
    assertThat(Files.readAllBytes(base.resolve("private.key"))).isEqualTo(key1);

    ClusterCertificates again = ClusterCertificates.create(tmp, "local-ca");
    assertThat(again.authority().certificate()).isEqualTo(first.authority().certificate());
    Path home2 = tmp.resolve("member-2");
    again.issue(home2, "member-2", List.of("127.0.0.1"));
    var cert2 = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory
        .getInstance("X.509").generateCertificate(Files.newInputStream(
            home2.resolve(ClusterCertificates.POLICY_DIRECTORY).resolve("public.crt")));
    cert2.verify(first.authority().certificate().getPublicKey());

    Path home3 = tmp.resolve("member-3");
    ClusterCertificates.issueIfTlsCluster(tmp, home3, "member-3");
    assertThat(home3.resolve(ClusterCertificates.POLICY_DIRECTORY).resolve("private.key"))
        .as("a member added later gets a certificate of the same CA").exists();

    ClusterOptions options = ClusterCertificates.withTlsSettings(ClusterOptions.defaults(tmp,
        tmp, null).withExtraSettings(Map.of("server.raft.election_timeout", "2s")));
    assertThat(options.extraSettings()).containsEntry("dbms.ssl.policy.cluster.enabled", "true")
        .containsEntry("dbms.ssl.policy.cluster.verify_hostname", "true")
        .containsEntry("server.raft.election_timeout", "2s");
  }
}
