package io.graft.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A missing or broken plugin jar makes every real-server test that needs it FAIL, not skip: the
 * one door to the jar ({@link ClusterPaths#pluginJar()}) throws, naming what is wrong.
 */
class ClusterPathsTest {
  private static final String PROPERTY = "graft.plugin.jar";
  private final String configured = System.getProperty(PROPERTY);
  @TempDir Path dir;

  @AfterEach
  void restoreTheConfiguredJar() {
    if (configured == null) {
      System.clearProperty(PROPERTY);
    } else {
      System.setProperty(PROPERTY, configured);
    }
  }

  @Test
  void aMissingJarFailsTheTest() {
    System.setProperty(PROPERTY, dir.resolve("graft-plugin.jar").toString());
    assertThatThrownBy(ClusterPaths::pluginJar).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("fails without it").hasMessageContaining("no plugin jar at");
  }

  @Test
  void aJarWithoutTheServiceDeclarationsFailsTheTest() throws IOException {
    Path jar = dir.resolve("broken.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new JarEntry("io/graft/Nothing.txt"));
      out.write("not a plugin".getBytes());
      out.closeEntry();
    }
    System.setProperty(PROPERTY, jar.toString());
    assertThatThrownBy(ClusterPaths::pluginJar).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("declares no settings");
  }

  @Test
  void aFileThatIsNoJarFailsTheTest() throws IOException {
    Path jar = dir.resolve("truncated.jar");
    try (OutputStream out = Files.newOutputStream(jar)) {
      out.write(new byte[] {'P', 'K', 3, 4, 0});
    }
    System.setProperty(PROPERTY, jar.toString());
    assertThatThrownBy(ClusterPaths::pluginJar).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not a readable jar");
  }

  /** The build's own jar (the reactor packages it before the it-tests run) passes the check. */
  @Test
  void theBuiltJarIsAccepted() {
    assertThat(ClusterPaths.pluginJar()).isRegularFile();
  }
}
