package io.graft.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/** Whether a jar looks like a graft plugin Neo4j can load (settings and extension declared). */
public final class PluginJar {
  static final String SETTINGS_SERVICE =
      "META-INF/services/org.neo4j.configuration.SettingsDeclaration";
  static final String EXTENSION_SERVICE =
      "META-INF/services/org.neo4j.kernel.extension.ExtensionFactory";

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

  /**
   * Whether any class in the jar mentions {@code settingName}: optional settings are only written
   * when the plugin declares them, because strict validation stops the server on unknown ones.
   */
  public static boolean mentions(Path jar, String settingName) {
    if (jar == null || !Files.isRegularFile(jar)) {
      return false;
    }
    byte[] needle = settingName.getBytes(StandardCharsets.UTF_8);
    try (JarFile file = new JarFile(jar.toFile())) {
      Enumeration<JarEntry> entries = file.entries();
      while (entries.hasMoreElements()) {
        JarEntry entry = entries.nextElement();
        if (entry.getName().endsWith(".class") && contains(file, entry, needle)) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean contains(JarFile file, JarEntry entry, byte[] needle) throws IOException {
    try (InputStream in = file.getInputStream(entry)) {
      byte[] bytes = in.readAllBytes();
      outer:
      for (int i = 0; i + needle.length <= bytes.length; i++) {
        for (int j = 0; j < needle.length; j++) {
          if (bytes[i + j] != needle[j]) {
            continue outer;
          }
        }
        return true;
      }
      return false;
    }
  }
}
