package io.graft.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.neo4j.kernel.internal.Version;

/** The version the build wrote into the jar is the Neo4j whose jars Maven resolved for it. */
class Neo4jReleaseTest {

  @Test
  void versionIsTheNeo4jOnTheClassPath() {
    assertThat(Neo4jRelease.version()).isEqualTo(Version.getNeo4jVersion());
    assertThat(Neo4jRelease.serverJarName())
        .isEqualTo("neo4j-server-" + Version.getNeo4jVersion() + ".jar");
  }
}
