package io.graft.raft.api;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * core-raft's loggers. They write to slf4j unless the host installs a {@link Sink}: inside a Neo4j
 * server slf4j is bound to a provider that only passes a few third-party packages and drops every
 * other line, so the plugin installs a sink that writes to Neo4j's debug log. Without it,
 * elections, refused connections and snapshot transfers would leave no trace on a server.
 */
public final class RaftLogging {
  /** Where log lines go once installed; decides levels itself. */
  public interface Sink {
    boolean enabled(String logger, Level level);

    void log(String logger, Level level, String message, Throwable cause);
  }

  private static volatile Sink sink;

  private RaftLogging() {}

  /** Sends every core-raft logger's lines to {@code target}; null returns them to slf4j. */
  public static void install(Sink target) {
    sink = target;
  }

  /** A logger for {@code owner}, following whatever sink is installed when it logs. */
  public static Logger logger(Class<?> owner) {
    return new SinkLogger(owner.getName());
  }

  private static final class SinkLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    private final transient Logger fallback;

    SinkLogger(String name) {
      this.name = name;
      this.fallback = LoggerFactory.getLogger(name);
    }

    private boolean enabled(Level level) {
      Sink s = sink;
      if (s != null) {
        return s.enabled(name, level);
      }
      return fallback.isEnabledForLevel(level);
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
      Sink s = sink;
      if (s != null) {
        s.log(name, level, message, cause);
      } else {
        fallback.atLevel(level).setCause(cause).log(message);
      }
    }
  }
}
