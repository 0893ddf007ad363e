package io.graft.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterCliTest {
  @TempDir
  Path tmp;

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  @Test
  void rejectsUnknownCommandsAndOptionsWithUsage() {
    assertThatThrownBy(() -> ClusterCli.run(new String[] {"launch"}, out))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("usage: graft cluster");
    assertThatThrownBy(() -> ClusterCli.run(new String[] {"start", "--nodes", "3"}, out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown option --nodes");
    assertThatThrownBy(() -> ClusterCli.run(new String[0], out))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void statusAndStopWithoutAClusterSayWhereTheyLooked() {
    String dir = tmp.resolve("nothing-here").toString();
    assertThatThrownBy(() -> ClusterCli.run(new String[] {"status", "--dir", dir}, out))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("no cluster in")
        .hasMessageContaining("nothing-here");
    assertThatThrownBy(() -> ClusterCli.run(new String[] {"stop", "--dir", dir}, out))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("no cluster in");
  }

  @Test
  void startWithoutNeo4jJarsExplainsHowToBuildThem() {
    System.setProperty("graft.neo4j.lib", tmp.resolve("no-lib").toString());
    try {
      assertThatThrownBy(() -> ClusterCli.run(
          new String[] {"start", "--dir", tmp.resolve("c").toString()}, out))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("no Neo4j jars in")
          .hasMessageContaining("mvn -B -pl local-cluster package");
    } finally {
      System.clearProperty("graft.neo4j.lib");
    }
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("WARNING");
  }
}
