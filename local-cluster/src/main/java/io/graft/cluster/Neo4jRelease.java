package io.graft.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The Neo4j release whose jars this module assembles homes from, as the build wrote it into
 * {@code neo4j-version.properties} from the root pom's {@code neo4j.version} (the one place the
 * version is stated).
 */
public final class Neo4jRelease {
  private static final String RESOURCE = "neo4j-version.properties";
  private static final String VERSION = load();

  private Neo4jRelease() {}

  /** The version, as in the root pom (e.g. {@code 5.26.x}). */
  public static String version() {
    return VERSION;
  }

  /** The jar whose presence in a lib folder says the server's jars were copied there. */
  static String serverJarName() {
    return "neo4j-server-" + VERSION + ".jar";
  }

  private static String load() {
    Properties properties = new Properties();
    try (InputStream in = Neo4jRelease.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("local-cluster has no " + RESOURCE + ": rebuild it");
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
