package io.graft.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.jar.JarFile;

/** Whether a jar looks like a graft plugin Neo4j can load (settings and extension declared). */
public final class PluginJar {
  static final String SETTINGS_SERVICE = "META-INF/services/org.neo4j.configuration.SettingsDeclaration";
  static final String EXTENSION_SERVICE = "META-INF/services/org.neo4j.kernel.extension.ExtensionFactory";

  private PluginJar() {}

  /** Empty if usable, otherwise why not (for test assumptions and CLI warnings). */
  public static Optional<String> problem(Path jar) {
    if (jar == null || !Files.isRegularFile(jar)) {
      return Optional.of("no plugin jar at " + jar + " (mvn -B -pl plugin -am package)");
    }
    try (JarFile file = new JarFile(jar.toFile())) {
      if (file.getEntry(SETTINGS_SERVICE) == null) {
        return Optional.of(jar + " declares no settings (" + SETTINGS_SERVICE
            + "): server.raft.* would be rejected");
      }
      if (file.getEntry(EXTENSION_SERVICE) == null) {
        return Optional.of(jar + " registers no extension (" + EXTENSION_SERVICE + ")");
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(jar + " is not a readable jar: " + e.getMessage());
    }
  }
}
