package io.graft.plugin;

import io.graft.raft.api.RaftAddress;
import io.graft.raft.api.TransportTls;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
import org.neo4j.configuration.Config;
import org.neo4j.configuration.ssl.ClientAuth;
import org.neo4j.configuration.ssl.SslPolicyConfig;
import org.neo4j.configuration.ssl.SslPolicyScope;
import org.neo4j.io.fs.DefaultFileSystemAbstraction;
import org.neo4j.logging.InternalLog;
import org.neo4j.logging.InternalLogProvider;
import org.neo4j.ssl.SslPolicy;
import org.neo4j.ssl.config.SslPolicyLoader;

/**
 * The Raft transport's mutual TLS, configured the Neo4j way: {@code dbms.ssl.policy.cluster.*}
 * ({@link SslPolicyScope#CLUSTER}, present in Community 5.26's configuration), loaded by Neo4j's
 * own {@link SslPolicyLoader}, so the files, formats, defaults ({@code client_auth=REQUIRE},
 * {@code certificates/cluster}) and error messages are the ones Neo4j documents for its clusters.
 * The policy's Netty contexts go to core-raft's transport, which never sees a Neo4j class.
 *
 * <p>Rotation: the transport asks for a context per connection; at most once a second this checks
 * the policy's files (size and modification time) and reloads the policy when one changed, so new
 * trusted certificates, revocation lists or a new own certificate take effect on the next
 * connection, without a restart. A reload that fails keeps the previous policy and logs why.
 *
 * <p>With {@code verify_hostname=true} both directions bind a member's id (its advertised
 * address) to its certificate: the dialling side verifies the server's certificate against the
 * host it dialled, and the accepting side refuses a peer whose certificate does not name the host
 * of the member id it claims.
 */
final class ClusterTls implements TransportTls {
  /** What turns it on; named in refusals between a TLS and a plaintext member. */
  static final String SETTING = "dbms.ssl.policy.cluster.enabled";

  private static final long RECHECK_NANOS = 1_000_000_000L;

  private final Config config;
  private final SslPolicyConfig settings;
  private final InternalLogProvider logs;
  private final InternalLog log;
  private volatile Loaded current;
  private volatile long checkedAtNanos;
  private volatile List<String> failedStamp = List.of();

  private record Loaded(SslContext server, SslContext client, SslPolicy policy,
      List<String> stamp) {}

  private ClusterTls(Config config, SslPolicyConfig settings, InternalLogProvider logs,
      Loaded loaded) {
    this.config = config;
    this.settings = settings;
    this.logs = logs;
    this.log = logs.getLog(ClusterTls.class);
    this.current = loaded;
    this.checkedAtNanos = System.nanoTime();
  }

  /**
   * True when {@code dbms.ssl.policy.cluster.enabled=true}. A policy group exists in the config
   * only if one of its settings is written; asking an absent group's setting throws.
   */
  static boolean enabled(Config config) {
    SslPolicyConfig policy = policy(config);
    return policy != null && config.get(policy.enabled);
  }

  private static SslPolicyConfig policy(Config config) {
    return config.getGroups(SslPolicyConfig.class)
        .get(SslPolicyScope.CLUSTER.name().toLowerCase(Locale.ROOT));
  }

  /**
   * Loads the policy; fails with a message naming the policy and Neo4j's reason (missing base
   * directory, unreadable key, no trusted certificate with client_auth=REQUIRE, ...).
   */
  static ClusterTls load(Config config, InternalLogProvider logs) {
    SslPolicyConfig settings = policy(config);
    if (settings == null || !config.get(settings.enabled)) {
      throw new IllegalStateException("dbms.ssl.policy.cluster is not enabled");
    }
    try {
      return new ClusterTls(config, settings, logs, loadOnce(config, settings, logs));
    } catch (RuntimeException | SSLException e) {
      throw new IllegalArgumentException("graft: cannot load the Raft transport's TLS policy "
          + "dbms.ssl.policy.cluster (base_directory " + config.get(settings.base_directory)
          + "): " + reasons(e), e);
    }
  }

  private static Loaded loadOnce(Config config, SslPolicyConfig settings,
      InternalLogProvider logs) throws SSLException {
    List<String> stamp = stamp(config, settings);
    SslPolicy policy = SslPolicyLoader.create(new DefaultFileSystemAbstraction(), config, logs)
        .getPolicy(SslPolicyScope.CLUSTER);
    return new Loaded(policy.nettyServerContext(), policy.nettyClientContext(), policy, stamp);
  }

  boolean clientAuthRequired() {
    return current.policy().getClientAuth() == ClientAuth.REQUIRE;
  }

  boolean trustAll() {
    return config.get(settings.trust_all);
  }

  @Override
  public SslContext serverContext() {
    return fresh().server();
  }

  @Override
  public SslContext clientContext() {
    return fresh().client();
  }

  @Override
  public boolean verifyHostname() {
    return current.policy().isVerifyHostname();
  }

  @Override
  public String describe() {
    SslPolicy p = current.policy();
    return "dbms.ssl.policy.cluster: " + config.get(settings.base_directory) + ", client_auth "
        + p.getClientAuth() + ", verify_hostname " + p.isVerifyHostname() + ", "
        + String.join("/", p.getTlsVersions() == null ? new String[] {"default TLS versions"}
            : p.getTlsVersions());
  }

  @Override
  public String refusePeer(String member, X509Certificate certificate) {
    if (!verifyHostname()) {
      return null;
    }
    Optional<RaftAddress> address = RaftAddress.tryParse(member);
    if (address.isEmpty()) {
      return "member id " + member + " is not a host:port address, so no certificate can name it ("
          + settings.verify_hostname.name() + "=true binds member ids to certificates)";
    }
    String host = address.get().host();
    if (names(certificate, host)) {
      return null;
    }
    return "the certificate " + certificate.getSubjectX500Principal().getName() + " does not"
        + " name " + host + ", the host of member id " + member + " (" + settings.verify_hostname
            .name() + "=true binds member ids to certificates): issue that member a certificate"
        + " whose subject alternative names include " + host;
  }

  /** The policy, reloaded first if one of its files changed since it was loaded. */
  private Loaded fresh() {
    long now = System.nanoTime();
    if (now - checkedAtNanos < RECHECK_NANOS) {
      return current;
    }
    synchronized (this) {
      if (now - checkedAtNanos < RECHECK_NANOS) {
        return current;
      }
      checkedAtNanos = now;
      List<String> stamp = stamp(config, settings);
      if (stamp.equals(current.stamp()) || stamp.equals(failedStamp)) {
        return current;
      }
      try {
        current = loadOnce(config, settings, logs);
        failedStamp = List.of();
        log.info("graft: the Raft transport's TLS policy changed on disk and was reloaded; new"
            + " connections use it (%s)", describe());
      } catch (RuntimeException | SSLException e) {
        failedStamp = stamp;
        log.error("graft: the Raft transport's TLS policy changed on disk but cannot be loaded;"
            + " connections keep using the previous one until the files are fixed: "
            + reasons(e), e);
      }
      return current;
    }
  }

  /** Size and modification time of every file the policy reads. */
  private static List<String> stamp(Config config, SslPolicyConfig settings) {
    List<String> stamp = new ArrayList<>();
    for (Path file : List.of(config.get(settings.private_key),
        config.get(settings.public_certificate))) {
      stamp.add(stampOf(file));
    }
    for (Path dir : List.of(config.get(settings.trusted_dir), config.get(settings.revoked_dir))) {
      if (Files.isDirectory(dir)) {
        try (Stream<Path> files = Files.list(dir)) {
          files.sorted().forEach(f -> stamp.add(stampOf(f)));
        } catch (IOException e) {
          stamp.add(dir + " unreadable");
        }
      }
    }
    return stamp;
  }

  private static String stampOf(Path file) {
    try {
      return file + ":" + Files.size(file) + ":" + Files.getLastModifiedTime(file).toMillis();
    } catch (IOException e) {
      return file + ":missing";
    }
  }

  private static boolean names(X509Certificate certificate, String host) {
    try {
      Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
      if (alternatives == null || alternatives.isEmpty()) {
        return certificate.getSubjectX500Principal().getName().toLowerCase(Locale.ROOT)
            .matches("(^|.*,)cn=" + java.util.regex.Pattern.quote(host.toLowerCase(Locale.ROOT))
                + "(,.*|$)");
      }
      for (List<?> name : alternatives) {
        int type = (Integer) name.get(0);
        String value = String.valueOf(name.get(1));
        if (type == 2 && dnsMatches(value, host)) {
          return true;
        }
        if (type == 7 && sameAddress(value, host)) {
          return true;
        }
      }
      return false;
    } catch (CertificateParsingException e) {
      return false;
    }
  }

  private static boolean dnsMatches(String pattern, String host) {
    String p = pattern.toLowerCase(Locale.ROOT);
    String h = host.toLowerCase(Locale.ROOT);
    if (p.startsWith("*.")) {
      int dot = h.indexOf('.');
      return dot > 0 && h.substring(dot).equals(p.substring(1));
    }
    return p.equals(h);
  }

  private static boolean sameAddress(String certificateIp, String host) {
    if (!host.matches("[0-9.]+") && !host.contains(":")) {
      return false;
    }
    try {
      return InetAddress.getByName(certificateIp).equals(InetAddress.getByName(host));
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static String reasons(Throwable e) {
    StringBuilder out = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getMessage() != null && !out.toString().contains(t.getMessage())) {
        out.append(out.length() == 0 ? "" : ": ").append(t.getMessage());
      }
    }
    return out.length() == 0 ? e.toString() : out.toString();
  }
}
