package io.graft.plugin;

import io.graft.raft.api.RaftLogging;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.neo4j.logging.InternalLog;
import org.neo4j.logging.InternalLogProvider;
import org.slf4j.event.Level;

/**
 * Sends one Raft member's log lines (elections, role changes, refused connections, snapshot
 * transfers) to its database's debug log, each line naming the member: Neo4j's database log
 * provider names the database ({@code [neo4j/1a2b3c4d]}), this sink adds {@code [raft <member>]}.
 * Neo4j binds slf4j to a provider that passes only a few third-party packages, so without this
 * sink every core-raft line would be dropped. TRACE is dropped; DEBUG follows {@code
 * server.logs.debug.level}.
 */
final class Neo4jRaftLogSink implements RaftLogging.Sink {
  private final InternalLogProvider provider;
  private final String prefix;
  private final Map<String, InternalLog> logs = new ConcurrentHashMap<>();

  /**
   * @param provider the database's log provider ({@code Database.getInternalLogProvider()})
   * @param member the member whose lines these are (its Raft address)
   */
  Neo4jRaftLogSink(InternalLogProvider provider, String member) {
    this.provider = provider;
    this.prefix = "[raft " + member + "] ";
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
    String line = prefix + message;
    switch (level) {
      case ERROR:
        log.error(line, cause);
        break;
      case WARN:
        log.warn(line, cause);
        break;
      case INFO:
        log.info(line, cause);
        break;
      case DEBUG:
        log.debug(line, cause);
        break;
      default:
        break;
    }
  }

  private InternalLog log(String logger) {
    return logs.computeIfAbsent(logger, provider::getLog);
  }
}
