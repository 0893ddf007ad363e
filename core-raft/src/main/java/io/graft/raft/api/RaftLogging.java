package io.graft.raft.api;

import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * Where one Raft member's log lines go: handed to the member when it is built ({@code
 * RaftNodeSetup.logging}, {@code RaftNodeBuilder.logging}) and by it to every part that logs, so
 * several members in one JVM (several databases, or a test's cluster) each write to their own log.
 * Nothing here is static or shared: two instances never see each other's lines.
 *
 * <p>{@link #slf4j()} writes to slf4j (a library user's own binding). Inside a Neo4j server slf4j
 * is bound to a provider that only passes a few third-party packages and drops every other line,
 * so the plugin hands each database's member {@link #to} a {@link Sink} that writes to that
 * database's Neo4j log. Without it, elections, refused connections and snapshot transfers would
 * leave no trace on a server.
 */
public final class RaftLogging {
  /** Where log lines go; decides levels itself. */
  public interface Sink {
    boolean enabled(String logger, Level level);

    void log(String logger, Level level, String message, Throwable cause);
  }

  private static final RaftLogging SLF4J = new RaftLogging(null);

  /** Null: slf4j. */
  private final Sink sink;

  private RaftLogging(Sink sink) {
    this.sink = sink;
  }

  /** Lines go to slf4j, under the logging class's name. */
  public static RaftLogging slf4j() {
    return SLF4J;
  }

  /** Lines go to {@code sink}, and nowhere else. */
  public static RaftLogging to(Sink sink) {
    return new RaftLogging(Objects.requireNonNull(sink, "sink"));
  }

  /** A logger for {@code owner}, writing where this instance writes. */
  public Logger logger(Class<?> owner) {
    String name = owner.getName();
    return new SinkLogger(name, sink, sink == null ? LoggerFactory.getLogger(name) : null);
  }

  private static final class SinkLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    private final transient Sink sink;
    private final transient Logger fallback;

    SinkLogger(String name, Sink sink, Logger fallback) {
      this.name = name;
      this.sink = sink;
      this.fallback = fallback;
    }

    private boolean enabled(Level level) {
      return sink != null ? sink.enabled(name, level) : fallback.isEnabledForLevel(level);
    }

    @Override
    public boolean isTraceEnabled() {
      return enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
      return enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
      return enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
      return enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
      return enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String pattern, Object[] arguments, Throwable cause) {
      String message = MessageFormatter.basicArrayFormat(pattern, arguments);
      if (sink != null) {
        sink.log(name, level, message, cause);
      } else {
        fallback.atLevel(level).setCause(cause).log(message);
      }
    }
  }
}
