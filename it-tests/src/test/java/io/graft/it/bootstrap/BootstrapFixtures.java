package io.graft.it.bootstrap;

import io.graft.cluster.ClusterOptions;
import io.graft.it.ClusterPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/** Real-process cluster options for the bootstrap tests (same system properties as the pom). */
final class BootstrapFixtures {
  private BootstrapFixtures() {}

  static Path lib() {
    return ClusterPaths.lib();
  }

  static Path pluginJar() {
    return ClusterPaths.pluginJar();
  }

  /** A brand-new folder: every member starts on an EMPTY data/ (nothing copied, nothing seeded). */
  static ClusterOptions options(String name, int members) {
    Path dir = Path.of(System.getProperty("graft.it.dir", "target/it-clusters"))
        .resolve(name + "-" + System.currentTimeMillis()).toAbsolutePath();
    return ClusterOptions.defaults(dir, lib(), pluginJar())
        .withMembers(members)
        .withFastStart(true)
        .withExtraSettings(Map.of())
        .withProgress(line -> System.out.println("[" + name + "] " + line));
  }

  /**
   * The identity graft gives the replicated database, computed here independently of the plugin
   * code (a type-3 UUID of "graft/<cluster id>/<database>") so the test checks the documented
   * contract, not the implementation against itself.
   */
  static UUID expectedIdentity(String clusterId, String database) {
    return UUID.nameUUIDFromBytes(
        ("graft/" + clusterId + "/" + database).getBytes(StandardCharsets.UTF_8));
  }
}
