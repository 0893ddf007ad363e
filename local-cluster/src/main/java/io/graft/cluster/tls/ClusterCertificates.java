package io.graft.cluster.tls;

import io.graft.cluster.ClusterOptions;
import io.graft.cluster.LocalCluster;
import io.graft.cluster.MemberSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A local cluster whose Raft links use mutual TLS ({@code ./graft cluster start --tls}): a
 * throwaway CA, one certificate per member naming the address it is reached at, and the same
 * {@code dbms.ssl.policy.cluster.*} lines on every member. Each member's files go where the
 * policy looks by default, {@code <home>/certificates/cluster/} ({@code private.key},
 * {@code public.crt}, {@code trusted/}, {@code revoked/}), so the configuration a user copies is
 * just the two lines of {@link #SETTINGS}.
 *
 * <p>The CA's certificate and key are kept in {@code <cluster dir>/certificates/} (the key
 * readable by its owner only) so further members can be issued certificates, by {@link #issue}
 * or with any tool; they are for this local cluster only.
 */
public final class ClusterCertificates {
  /** What every member's neo4j.conf gets, besides the files. */
  public static final Map<String, String> SETTINGS = Map.of(
      "dbms.ssl.policy.cluster.enabled", "true",
      "dbms.ssl.policy.cluster.verify_hostname", "true");

  /** Where a member's policy files live, relative to its home (the policy's default). */
  public static final String POLICY_DIRECTORY = "certificates/cluster";

  private static final Duration VALIDITY = Duration.ofDays(365);

  private final CertificateAuthority ca;
  private final Path directory;

  private ClusterCertificates(CertificateAuthority ca, Path directory) {
    this.ca = ca;
    this.directory = directory;
  }

  /**
   * The CA of the cluster in {@code clusterDir}: the one kept there by an earlier start (its
   * members trust it), else a new one, whose certificate and key are written there.
   */
  public static ClusterCertificates create(Path clusterDir, String name) {
    Path dir = clusterDir.resolve("certificates");
    if (Files.exists(dir.resolve("ca.key")) && Files.exists(dir.resolve("ca.crt"))) {
      return new ClusterCertificates(
          CertificateAuthority.load(dir.resolve("ca.crt"), dir.resolve("ca.key")), dir);
    }
    CertificateAuthority ca = CertificateAuthority.create(name, Duration.ofDays(3650));
    try {
      Files.createDirectories(dir);
      CertificateAuthority.writeCertificate(dir.resolve("ca.crt"), ca.certificate());
      CertificateAuthority.writePrivateKey(dir.resolve("ca.key"), ca.privateKey());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the CA into " + dir, e);
    }
    return new ClusterCertificates(ca, dir);
  }

  /** True when the cluster in {@code clusterDir} was started with TLS (its CA is there). */
  public static boolean isTlsCluster(Path clusterDir) {
    return Files.exists(clusterDir.resolve("certificates").resolve("ca.key"));
  }

  /**
   * A member added to a TLS cluster gets a certificate of the cluster's CA (its own address is
   * 127.0.0.1, like every local member's); nothing for a plaintext cluster.
   */
  public static void issueIfTlsCluster(Path clusterDir, Path home, String memberName) {
    if (isTlsCluster(clusterDir)) {
      create(clusterDir, "graft-local-ca").issue(home, memberName,
          List.of(MemberSpec.HOST, "localhost"));
    }
  }

  public CertificateAuthority authority() {
    return ca;
  }

  /** {@code <cluster dir>/certificates}: the CA's certificate and key. */
  public Path directory() {
    return directory;
  }

  /**
   * Writes a member's policy directory under {@code home}, its certificate naming {@code hosts}
   * (the host of its Raft address, plus localhost), unless the home already has one.
   *
   * @return true if certificates were written
   */
  public boolean issue(Path home, String memberName, List<String> hosts) {
    Path base = home.resolve(POLICY_DIRECTORY);
    if (Files.exists(base.resolve("private.key"))) {
      return false;
    }
    ca.writePolicyDirectory(base, ca.issue(memberName, hosts, VALIDITY));
    return true;
  }

  /** The options with the policy lines added to every member's settings. */
  public static ClusterOptions withTlsSettings(ClusterOptions options) {
    Map<String, String> settings = new HashMap<>(options.extraSettings());
    SETTINGS.forEach(settings::putIfAbsent);
    return options.withExtraSettings(settings);
  }

  /**
   * Assembles the homes, issues every member a certificate of a new CA (members that already
   * have one keep it), starts them and waits for a leader, as {@link LocalCluster#start} does.
   */
  public static Started start(ClusterOptions options) {
    ClusterOptions tls = withTlsSettings(options);
    LocalCluster cluster = LocalCluster.assemble(tls);
    try {
      ClusterCertificates certificates = create(tls.dir(), "graft-local-ca");
      for (int m = 1; m <= cluster.size(); m++) {
        MemberSpec spec = cluster.layout().member(m);
        if (certificates.issue(cluster.home(m), spec.name(), List.of(MemberSpec.HOST,
            "localhost"))) {
          tls.progress().accept("  " + spec.name() + ": certificate issued by the local CA in "
              + cluster.home(m).resolve(POLICY_DIRECTORY));
        }
      }
      cluster.startAll();
      return new Started(cluster, certificates);
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** A started TLS cluster and the CA that can issue certificates for further members. */
  public record Started(LocalCluster cluster, ClusterCertificates certificates) {}
}
