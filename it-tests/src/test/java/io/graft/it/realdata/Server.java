package io.graft.it.realdata;

import io.graft.cluster.MemberSpec;
import io.graft.cluster.NeoConfig;
import io.graft.cluster.NeoHome;
import io.graft.cluster.Ports;
import io.graft.cluster.ServerProcess;
import io.graft.it.ClusterPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logging;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;

/**
 * One real Neo4j server process for the real-data ITs: its own home and ports, reconfigurable
 * between starts (plain server, graft founder, graft joiner), with a direct Bolt driver.
 */
final class Server implements AutoCloseable {
  static final Duration START = Duration.ofSeconds(240);
  private static final Duration STOP = Duration.ofSeconds(60);

  final String name;
  final MemberSpec spec;
  final NeoHome home;
  final ServerProcess process;
  private Driver driver;

  Server(Path root, String name, int index) {
    this.name = name;
    int raft = Ports.freePort();
    this.spec = new MemberSpec(index, Ports.freePort(), Ports.freePort(), raft, raft);
    this.home = new NeoHome(root.resolve(name), spec);
    this.process = new ServerProcess(home, ClusterPaths.lib(), true, false);
  }

  String raftAddress() {
    return spec.raftAdvertisedAddress();
  }

  String boltHostPort() {
    return MemberSpec.HOST + ":" + spec.boltPort();
  }

  /** A plain Neo4j server (graft settings absent; the jar, if given, stays inert). */
  Server plain(Map<String, String> extra) {
    home.assemble(ClusterPaths.pluginJar(), new NeoConfig(false, List.of(), "512m", "128m",
        settings(extra)));
    return this;
  }

  /** A graft member with these founders ({@code initial_members}). */
  Server graft(List<String> initialMembers, Map<String, String> extra) {
    home.assemble(ClusterPaths.pluginJar(), new NeoConfig(true, initialMembers, "512m", "128m",
        settings(extra)));
    return this;
  }

  private static Map<String, String> settings(Map<String, String> extra) {
    Map<String, String> s = new HashMap<>();
    s.put("db.tx_log.preallocate", "false");
    s.putAll(extra);
    return s;
  }

  Server start() {
    process.start();
    return this;
  }

  Server awaitStarted() {
    process.awaitStarted(START, line -> System.out.println("[" + name + "] " + line));
    return this;
  }

  void stop() {
    closeDriver();
    process.stop(STOP);
  }

  void kill9() {
    closeDriver();
    process.kill9();
  }

  /** Stops it and deletes its data/ (a wiped member). */
  void wipe() {
    stop();
    deleteTree(home.data());
  }

  Driver driver() {
    if (driver == null) {
      driver = GraphDatabase.driver("bolt://" + boltHostPort(), AuthTokens.none(),
          Config.builder().withLogging(Logging.none())
              .withConnectionTimeout(5, TimeUnit.SECONDS)
              .withConnectionAcquisitionTimeout(30, TimeUnit.SECONDS).build());
    }
    return driver;
  }

  Session session() {
    return driver().session(SessionConfig.forDatabase("neo4j"));
  }

  /** {@code CALL raft.status()} as a map. */
  Map<String, Object> status() {
    try (Session s = session()) {
      Record r = s.run("CALL raft.status()").single();
      return r.asMap();
    }
  }

  String log(String file) {
    try {
      Path p = home.logs().resolve(file);
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** True if debug.log, neo4j.log or console.log (java.util.logging lands in one) has it. */
  boolean logsContain(String text) {
    return log("debug.log").contains(text) || log("neo4j.log").contains(text)
        || log("console.log").contains(text);
  }

  private void closeDriver() {
    if (driver != null) {
      driver.close();
      driver = null;
    }
  }

  @Override
  public void close() {
    closeDriver();
    if (process.isAlive()) {
      process.kill9();
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return name + " (" + raftAddress() + ", bolt " + boltHostPort() + ")";
  }
}
