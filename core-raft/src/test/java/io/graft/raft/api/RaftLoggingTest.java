package io.graft.raft.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.event.Level;

class RaftLoggingTest {
  private final List<String> lines = new ArrayList<>();

  @AfterEach
  void uninstall() {
    RaftLogging.install(null);
  }

  @Test
  void aLoggerCreatedBeforeTheSinkIsInstalledWritesToItFormattedWithItsCause() {
    Logger log = RaftLogging.logger(RaftLoggingTest.class); // static finals are created early
    IllegalStateException boom = new IllegalStateException("boom");
    RaftLogging.install(new RaftLogging.Sink() {
      @Override
      public boolean enabled(String logger, Level level) {
        return level != Level.DEBUG;
      }

      @Override
      public void log(String logger, Level level, String message, Throwable cause) {
        lines.add(logger + " " + level + " " + message + " "
            + (cause == null ? "-" : cause.getMessage()));
      }
    });
    log.info("became leader of term {} with {} votes", 7, 2);
    log.warn("refused {}", "10.0.0.3:7000", boom);
    log.debug("not enabled {}", 1);
    assertThat(log.isDebugEnabled()).isFalse();
    assertThat(log.isWarnEnabled()).isTrue();
    String name = RaftLoggingTest.class.getName();
    assertThat(lines).containsExactly(
        name + " INFO became leader of term 7 with 2 votes -",
        name + " WARN refused 10.0.0.3:7000 boom");

    RaftLogging.install(null); // back to slf4j: nothing more reaches the sink
    log.error("after uninstall");
    assertThat(lines).hasSize(2);
  }
}
