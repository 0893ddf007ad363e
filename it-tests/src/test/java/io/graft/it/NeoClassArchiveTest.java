package io.graft.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.cluster.NeoClassArchive;
import io.graft.cluster.ServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class data archive that quick-start test servers map Neo4j's classes from: it is made from
 * the real lib (a training server that starts and stops cleanly), and the JVM accepts it exactly
 * when the class path begins with lib, which is how {@link ServerProcess} orders it. With
 * {@code -Xshare:on} the JVM refuses to start rather than ignore an archive it cannot use, so the
 * second check fails if the archive or the order is wrong.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NeoClassArchiveTest {
  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

  @Test
  void theArchiveIsMadeFromLibAndTheJvmTakesItOnlyWithLibFirst(@TempDir Path dir)
      throws Exception {
    Path lib = ClusterPaths.lib().toAbsolutePath().normalize();
    List<String> lines = new ArrayList<>();
    Optional<Path> archive = NeoClassArchive.forLib(JAVA, ServerProcess.quickStartFlags(), lib,
        lines::add);
    assertThat(archive).as("archive (log: %s)", lines).isPresent();
    assertThat(archive.get()).isRegularFile();
    assertThat(NeoClassArchive.forLib(JAVA, ServerProcess.quickStartFlags(), lib, lines::add))
        .as("made once, then found").contains(archive.get());

    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    Files.copy(ClusterPaths.pluginJar(), plugins.resolve("graft-plugin.jar"));
    String libFirst = lib + "/*:" + plugins + "/*";
    String pluginsFirst = plugins + "/*:" + lib + "/*";
    assertThat(version(archive.get(), libFirst)).as("lib first").contains("sharing");
    assertThat(version(archive.get(), pluginsFirst)).as("plugins first")
        .contains("Unable to use shared archive");
  }

  /** {@code java -version} with the archive required; its output (exit status in the text). */
  private static String version(Path archive, String classPath)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(JAVA.toString());
    cmd.addAll(ServerProcess.quickStartFlags());
    cmd.add("-Xshare:on");
    cmd.add("-XX:SharedArchiveFile=" + archive);
    cmd.add("-cp");
    cmd.add(classPath);
    cmd.add("-version");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out + "\nexit " + p.exitValue();
  }
}
