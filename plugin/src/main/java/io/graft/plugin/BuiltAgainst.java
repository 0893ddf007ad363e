package io.graft.plugin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The Neo4j release this jar was compiled and verified against, as the build wrote it into
 * {@code neo4j-version.properties} from the root pom's {@code neo4j.version} (the one place the
 * version is stated).
 */
final class BuiltAgainst {
  private static final String RESOURCE = "neo4j-version.properties";

  private BuiltAgainst() {}

  /** The version as in the root pom; fails loudly if the jar was built without the resource. */
  static String neo4jVersion() {
    Properties properties = new Properties();
    try (InputStream in = BuiltAgainst.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("graft-plugin.jar has no " + RESOURCE + ": rebuild it");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    String version = properties.getProperty("neo4j.version", "");
    if (version.isBlank() || version.contains("${")) {
      throw new IllegalStateException(
          RESOURCE + " was not filled in by the build (neo4j.version='" + version + "')");
    }
    return version.trim();
  }
}
