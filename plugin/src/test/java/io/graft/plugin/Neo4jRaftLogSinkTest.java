package io.graft.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.raft.api.RaftLogging;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;
import org.slf4j.Logger;

class Neo4jRaftLogSinkTest {

  @Test
  void coreRaftLinesReachTheNeo4jLogAtTheirLevelsNamingTheMember() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Log4jLogProvider provider = new Log4jLogProvider(out, Level.INFO);
    Logger log = RaftLogging.to(new Neo4jRaftLogSink(provider, "10.0.0.1:7000"))
        .logger(Neo4jRaftLogSinkTest.class);
    log.info("became leader in term {}", 3);
    log.warn("refused Raft connection from {}", "127.0.0.1:7001", new IllegalStateException("x"));
    log.debug("debug is off at INFO");
    log.trace("trace is always dropped");
    provider.close();
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("INFO").contains("[raft 10.0.0.1:7000] became leader in term 3")
        .contains("WARN").contains("refused Raft connection from 127.0.0.1:7001")
        .contains("IllegalStateException: x")
        .doesNotContain("debug is off").doesNotContain("trace is always");
    assertThat(log.isDebugEnabled()).isFalse();
    assertThat(log.isTraceEnabled()).isFalse();
  }

  /** Two databases' members in one JVM: each one's lines in its own log, none in the other's. */
  @Test
  void twoMembersInOneJvmEachWriteToTheirOwnDatabaseLog() {
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    ByteArrayOutputStream second = new ByteArrayOutputStream();
    Log4jLogProvider firstLogs = new Log4jLogProvider(first, Level.INFO);
    Log4jLogProvider secondLogs = new Log4jLogProvider(second, Level.INFO);
    Logger a = RaftLogging.to(new Neo4jRaftLogSink(firstLogs, "10.0.0.1:7000"))
        .logger(Neo4jRaftLogSinkTest.class);
    Logger b = RaftLogging.to(new Neo4jRaftLogSink(secondLogs, "10.0.0.2:7000"))
        .logger(Neo4jRaftLogSinkTest.class);
    a.info("first member elected");
    b.info("second member elected");
    firstLogs.close();
    secondLogs.close();
    assertThat(first.toString(StandardCharsets.UTF_8))
        .contains("[raft 10.0.0.1:7000] first member elected").doesNotContain("second member");
    assertThat(second.toString(StandardCharsets.UTF_8))
        .contains("[raft 10.0.0.2:7000] second member elected").doesNotContain("first member");
  }
}
