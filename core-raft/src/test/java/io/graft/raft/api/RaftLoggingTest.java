package io.graft.raft.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.event.Level;

class RaftLoggingTest {

  /** Records "logger LEVEL message cause"; DEBUG is off. */
  private static final class Recording implements RaftLogging.Sink {
    final List<String> lines = new ArrayList<>();

    @Override
    public boolean enabled(String logger, Level level) {
      return level != Level.DEBUG;
    }

    @Override
    public void log(String logger, Level level, String message, Throwable cause) {
      lines.add(logger + " " + level + " " + message + " "
          + (cause == null ? "-" : cause.getMessage()));
    }
  }

  @Test
  void aLoggerWritesToItsInstancesSinkFormattedWithItsCause() {
    Recording sink = new Recording();
    Logger log = RaftLogging.to(sink).logger(RaftLoggingTest.class);
    log.info("became leader of term {} with {} votes", 7, 2);
    log.warn("refused {}", "10.0.0.3:7000", new IllegalStateException("boom"));
    log.debug("not enabled {}", 1);
    assertThat(log.isDebugEnabled()).isFalse();
    assertThat(log.isWarnEnabled()).isTrue();
    String name = RaftLoggingTest.class.getName();
    assertThat(sink.lines).containsExactly(
        name + " INFO became leader of term 7 with 2 votes -",
        name + " WARN refused 10.0.0.3:7000 boom");
  }

  @Test
  void twoInstancesNeverSeeEachOthersLines() {
    Recording first = new Recording();
    Recording second = new Recording();
    Logger a = RaftLogging.to(first).logger(RaftLoggingTest.class);
    Logger b = RaftLogging.to(second).logger(RaftLoggingTest.class);
    a.info("from a");
    b.info("from b");
    RaftLogging.slf4j().logger(RaftLoggingTest.class).error("to slf4j only");
    assertThat(first.lines).singleElement().asString().contains("from a");
    assertThat(second.lines).singleElement().asString().contains("from b");
  }
}
