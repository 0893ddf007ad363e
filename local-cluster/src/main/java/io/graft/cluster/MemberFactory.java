package io.graft.cluster;

import io.graft.cluster.tls.ClusterCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.neo4j.driver.AuthToken;
import org.neo4j.driver.AuthTokens;

/**
 * Makes the members of a {@link LocalCluster} from its options: each member's home (its {@code
 * neo4j.conf}, the plugin jar, the initial password) and its server process, for the founders
 * and for every member added later.
 */
final class MemberFactory {
  private static final String MEMBER_BOLT_ADDRESSES = "server.raft.member_bolt_addresses";

  private final ClusterOptions options;

  MemberFactory(ClusterOptions options) {
    this.options = options;
  }

  /** Fails with the command that builds them when the shared jar folder has no Neo4j. */
  static void checkLib(Path lib) {
    Path marker = lib.resolve(Neo4jRelease.serverJarName());
    if (!Files.exists(marker)) {
      throw new IllegalStateException("no Neo4j jars in " + lib
          + " (build them: mvn -B -pl local-cluster package -DskipTests)");
    }
  }

  /** The credentials the cluster's own probe logs in with. */
  AuthToken auth() {
    return options.authEnabled()
        ? AuthTokens.basic(ClusterOptions.ADMIN_USER, options.adminPassword())
        : AuthTokens.none();
  }

  /** Every member of {@code layout}, homes assembled, nothing started. */
  List<ServerProcess> createAll(ClusterLayout layout) {
    NeoConfig config = neoConfig(layout);
    List<NeoHome> homes = new ArrayList<>();
    List<ServerProcess> servers = new ArrayList<>();
    for (MemberSpec spec : layout.members()) {
      NeoHome home = new NeoHome(options.dir().resolve(spec.name()), spec);
      home.assemble(options.pluginJar(), config);
      homes.add(home);
      servers.add(process(home));
    }
    if (options.authEnabled()) {
      setInitialPasswords(homes);
    }
    return servers;
  }

  /** The member {@code spec} of the grown {@code layout} (a joiner), home assembled. */
  ServerProcess create(MemberSpec spec, ClusterLayout layout) {
    NeoHome home = new NeoHome(options.dir().resolve(spec.name()), spec);
    home.assemble(options.pluginJar(), neoConfig(layout));
    ClusterCertificates.issueIfTlsCluster(options.dir(), home.dir(), spec.name());
    if (options.authEnabled()) {
      home.setInitialPassword(options.lib(), options.adminPassword());
    }
    return process(home);
  }

  private ServerProcess process(NeoHome home) {
    return new ServerProcess(home, options.lib(), options.fastStart(), options.detached());
  }

  /**
   * Each member has its own system database (it is not replicated), so each home gets the same
   * initial {@code neo4j} password before its first start; in parallel, one JVM per home.
   */
  private void setInitialPasswords(List<NeoHome> homes) {
    List<CompletableFuture<Boolean>> runs = new ArrayList<>();
    for (NeoHome home : homes) {
      runs.add(CompletableFuture.supplyAsync(
          () -> home.setInitialPassword(options.lib(), options.adminPassword())));
    }
    for (int i = 0; i < runs.size(); i++) {
      if (runs.get(i).join()) {
        options.progress().accept("  " + homes.get(i).spec().name()
            + ": initial password of neo4j set (data/dbms/auth.ini)");
      }
    }
  }

  NeoConfig neoConfig(ClusterLayout layout) {
    Map<String, String> settings = new HashMap<>(options.extraSettings());
    if (options.authEnabled()) {
      settings.put(NeoHome.AUTH_ENABLED, "true");
    }
    if (options.raftEnabled() && ClusterCertificates.isTlsCluster(options.dir())) {
      // Started with --tls once, TLS for good: every regenerated neo4j.conf keeps the policy.
      ClusterCertificates.SETTINGS.forEach(settings::putIfAbsent);
    }
    if (options.fastStart()) {
      // Test clusters are many and short-lived: Neo4j preallocates each tx log file to 256 MiB,
      // ~0.5 GB per member (system + neo4j), which filled a 2-core CI-sized disk during a full run.
      settings.putIfAbsent("db.tx_log.preallocate", "false");
    }
    if (options.raftEnabled() && PluginJar.mentions(options.pluginJar(), MEMBER_BOLT_ADDRESSES)) {
      // raftAddress=boltAddress pairs, so raft.status() can name the leader's Bolt address.
      List<String> pairs = new ArrayList<>();
      for (MemberSpec spec : layout.members()) {
        pairs.add(spec.raftAdvertisedAddress() + "=" + spec.boltAdvertisedAddress());
      }
      settings.putIfAbsent(MEMBER_BOLT_ADDRESSES, String.join(",", pairs));
    }
    return new NeoConfig(options.raftEnabled(), layout.founderRaftAddresses(), options.heap(),
        options.pageCache(), settings);
  }
}
