package io.graft.plugin;

import io.graft.raft.api.RaftLogging;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.neo4j.logging.InternalLog;
import org.neo4j.logging.InternalLogProvider;
import org.slf4j.event.Level;

/**
 * Sends core-raft's log lines (elections, role changes, refused connections, snapshot transfers)
 * to the server's debug log. Neo4j binds slf4j to a provider that passes only a few third-party
 * packages, so without this sink every core-raft line would be dropped. TRACE is dropped; DEBUG
 * follows {@code server.logs.debug.level}.
 */
final class Neo4jRaftLogSink implements RaftLogging.Sink {
  private final InternalLogProvider provider;
  private final Map<String, InternalLog> logs = new ConcurrentHashMap<>();

  Neo4jRaftLogSink(InternalLogProvider provider) {
    this.provider = provider;
  }

  @Override
  public boolean enabled(String logger, Level level) {
    if (level == Level.TRACE) {
      return false;
    }
    return level != Level.DEBUG || log(logger).isDebugEnabled();
  }

  @Override
  public void log(String logger, Level level, String message, Throwable cause) {
    InternalLog log = log(logger);
    switch (level) {
      case ERROR:
        log.error(message, cause);
        break;
      case WARN:
        log.warn(message, cause);
        break;
      case INFO:
        log.info(message, cause);
        break;
      case DEBUG:
        log.debug(message, cause);
        break;
      default:
        break;
    }
  }

  private InternalLog log(String logger) {
    return logs.computeIfAbsent(logger, provider::getLog);
  }
}
