package io.graft.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.raft.api.RaftLogging;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;
import org.slf4j.Logger;

class Neo4jRaftLogSinkTest {

  @AfterEach
  void uninstall() {
    RaftLogging.install(null);
  }

  @Test
  void coreRaftLinesReachTheNeo4jLogAtTheirLevels() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Log4jLogProvider provider = new Log4jLogProvider(out, Level.INFO);
    RaftLogging.install(new Neo4jRaftLogSink(provider));
    Logger log = RaftLogging.logger(Neo4jRaftLogSinkTest.class);
    log.info("became leader in term {}", 3);
    log.warn("refused Raft connection from {}", "127.0.0.1:7001", new IllegalStateException("x"));
    log.debug("debug is off at INFO");
    log.trace("trace is always dropped");
    provider.close();
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("INFO").contains("became leader in term 3")
        .contains("WARN").contains("refused Raft connection from 127.0.0.1:7001")
        .contains("IllegalStateException: x")
        .doesNotContain("debug is off").doesNotContain("trace is always");
    assertThat(log.isDebugEnabled()).isFalse();
    assertThat(log.isTraceEnabled()).isFalse();
  }
}
