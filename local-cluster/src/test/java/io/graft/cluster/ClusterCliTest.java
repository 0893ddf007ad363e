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

  @Test
  void killAndRestartTakeOneMemberNumber() {
    String dir = tmp.resolve("c").toString();
    assertThatThrownBy(() -> ClusterCli.run(new String[] {"kill", "--dir", dir}, out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kill takes one member number");
    assertThatThrownBy(() -> ClusterCli.run(new String[] {"restart", "x", "--dir", dir}, out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("restart takes one member number");
    assertThatThrownBy(() -> ClusterCli.run(new String[] {"start", "--members", "0"}, out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--members takes a positive number");
  }

  @Test
  void cypherParametersAreTypedLikeCypherLiterals() {
    assertThat(CypherCli.parameters(java.util.List.of("n=42", "x=1.5", "b=true", "s=hello",
        "q=\"42\"", "z=null", "neg=-7", "eq=a=b")))
        .containsEntry("n", 42L).containsEntry("x", 1.5).containsEntry("b", true)
        .containsEntry("s", "hello").containsEntry("q", "42").containsEntry("z", null)
        .containsEntry("neg", -7L).containsEntry("eq", "a=b");
    assertThatThrownBy(() -> CypherCli.parameters(java.util.List.of("novalue")))
        .hasMessageContaining("--param takes name=value");
    assertThatThrownBy(() -> CypherCli.run(new String[] {"--dir", tmp.toString(), "RETURN 1"},
        out)).isInstanceOf(IllegalStateException.class).hasMessageContaining("no cluster in");
    assertThatThrownBy(() -> CypherCli.run(new String[] {"RETURN", "1"}, out))
        .hasMessageContaining("give the query as one argument");
  }

  @Test
  void stableLayoutPrefersTheDefaultPortsAndSaysWhenOneIsTaken() throws Exception {
    java.util.List<String> notes = new java.util.ArrayList<>();
    // Hold member-1's preferred Bolt port (if something else holds it, same effect).
    java.net.ServerSocket held = new java.net.ServerSocket();
    try {
      held.setReuseAddress(true);
      try {
        held.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(),
            ClusterLayout.BOLT_BASE));
      } catch (java.io.IOException taken) {
        // already taken by someone else: the layout must still avoid it
      }
      ClusterLayout layout = ClusterLayout.stable(2, notes::add);
      assertThat(layout.member(1).boltPort()).isNotEqualTo(ClusterLayout.BOLT_BASE);
      assertThat(notes).anyMatch(n -> n.contains("member-1 Bolt port 7687 is taken; using "
          + layout.member(1).boltPort()));
      assertThat(layout.founders()).isEqualTo(2);
      java.util.Set<Integer> ports = new java.util.HashSet<>();
      for (MemberSpec m : layout.members()) {
        assertThat(ports.add(m.boltPort()) && ports.add(m.httpPort())
            && ports.add(m.raftListenPort())).as("no port used twice").isTrue();
        if (notes.stream().noneMatch(n -> n.contains(m.name() + " HTTP"))) {
          assertThat(m.httpPort()).isEqualTo(ClusterLayout.HTTP_BASE + m.index() - 1);
        }
      }
      ClusterLayout grown = layout.withStableMember(notes::add);
      assertThat(grown.members()).hasSize(3);
      assertThat(grown.founders()).as("an added member is no founder").isEqualTo(2);
      assertThat(grown.founderRaftAddresses()).hasSize(2);
      grown.save(tmp);
      assertThat(ClusterLayout.load(tmp)).contains(grown);
    } finally {
      held.close();
    }
  }
}
