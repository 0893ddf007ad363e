package io.graft.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One member's Neo4j home: {@code conf plugins data logs run import}. {@code lib} is not copied:
 * every member's classpath points at the one shared folder of 213 jars (docs/RUNNING-NEO4J.md).
 */
public final class NeoHome {
  /**
   * Extra JVM flags of the server (Neo4j's own setting): several may be given in one extra
   * setting's value, separated by whitespace.
   */
  public static final String JVM_ADDITIONAL = "server.jvm.additional";
  private static final List<String> FOLDERS =
      List.of("conf", "plugins", "data", "logs", "run", "import");

  static final String AUTH_ENABLED = "dbms.security.auth_enabled";
  /** How long {@code neo4j-admin dbms set-initial-password} may take (a JVM start). */
  private static final Duration ADMIN_TOOL_TIMEOUT = Duration.ofSeconds(60);

  private final Path dir;
  private final MemberSpec spec;

  public NeoHome(Path dir, MemberSpec spec) {
    this.dir = dir.toAbsolutePath().normalize();
    this.spec = spec;
  }

  public Path dir() {
    return dir;
  }

  public MemberSpec spec() {
    return spec;
  }

  public Path conf() {
    return dir.resolve("conf");
  }

  public Path plugins() {
    return dir.resolve("plugins");
  }

  public Path data() {
    return dir.resolve("data");
  }

  public Path logs() {
    return dir.resolve("logs");
  }

  public Path neo4jLog() {
    return logs().resolve("neo4j.log");
  }

  public Path consoleLog() {
    return logs().resolve("console.log");
  }

  public Path pidFile() {
    return dir.resolve("run").resolve("neo4j.pid");
  }

  /**
   * Creates the folders, puts the plugin jar (if any) into {@code plugins/} and writes
   * {@code conf/neo4j.conf}. Existing data is kept, so this is also safe before a restart.
   */
  public void assemble(Path pluginJar, NeoConfig config) {
    try {
      for (String folder : FOLDERS) {
        Files.createDirectories(dir.resolve(folder));
      }
      clearPlugins();
      if (pluginJar != null) {
        Files.copy(pluginJar, plugins().resolve(pluginJar.getFileName()),
            StandardCopyOption.REPLACE_EXISTING);
      }
      Files.writeString(conf().resolve("neo4j.conf"), String.join("\n", confLines(config)) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot assemble " + dir, e);
    }
  }

  /** The lines of {@code neo4j.conf}; the traps are documented in docs/RUNNING-NEO4J.md. */
  List<String> confLines(NeoConfig config) {
    List<String> lines = new ArrayList<>();
    lines.add("# Written by graft local-cluster for " + spec.name() + ". Regenerated on start.");
    lines.add("server.default_listen_address=" + MemberSpec.HOST);
    lines.add("server.default_advertised_address=" + MemberSpec.HOST);
    lines.add("server.bolt.listen_address=" + MemberSpec.HOST + ":" + spec.boltPort());
    // Without this, routing tables advertise localhost:7687 whatever the listen port is. With
    // the Bolt fault proxy it is the proxy's frontend: routed drivers go through the proxy.
    lines.add("server.bolt.advertised_address=" + spec.boltAdvertisedAddress());
    lines.add("server.http.listen_address=" + MemberSpec.HOST + ":" + spec.httpPort());
    lines.add("server.http.advertised_address=" + MemberSpec.HOST + ":" + spec.httpPort());
    lines.add("server.https.enabled=false");
    if (!config.extraSettings().containsKey(AUTH_ENABLED)) {
      lines.add(AUTH_ENABLED + "=false");
    }
    lines.add("dbms.usage_report.enabled=false");
    lines.add("server.memory.heap.initial_size=" + config.heap());
    lines.add("server.memory.heap.max_size=" + config.heap());
    lines.add("server.memory.pagecache.size=" + config.pageCache());
    // Bolt otherwise waits 7-12 s for a quiet period on shutdown.
    lines.add("internal.dbms.bolt.netty_server_shutdown_quiet_period=0");
    if (config.raftEnabled()) {
      lines.add("server.raft.enabled=true");
      lines.add("server.raft.listen_address=" + spec.raftListenAddress());
      lines.add("server.raft.advertised_address=" + spec.raftAdvertisedAddress());
      lines.add("server.raft.initial_members=" + String.join(",", config.initialMembers()));
    }
    for (Map.Entry<String, String> extra : config.extraSettings().entrySet()) {
      if (extra.getKey().equals(JVM_ADDITIONAL)) {
        // Several JVM flags in one value (a map holds the key once): one line each, as Neo4j's
        // own neo4j.conf lists them; ServerProcess passes them to the JVM as the launcher would.
        for (String flag : extra.getValue().trim().split("\\s+")) {
          lines.add(JVM_ADDITIONAL + "=" + flag);
        }
      } else {
        lines.add(extra.getKey() + "=" + extra.getValue());
      }
    }
    return lines;
  }

  /** Where Neo4j reads the initial users from on its first start (CommunitySecurityModule). */
  public Path initialAuthFile() {
    return data().resolve("dbms").resolve("auth.ini");
  }

  /**
   * Sets the initial password of {@code neo4j} exactly as {@code neo4j-admin dbms
   * set-initial-password} does, by running that command (Neo4j's {@code AdminTool}) on this home
   * with the shared jars: it writes {@code data/dbms/auth.ini}, which Neo4j reads only when it
   * creates the system database. So it is done only before the first start; later starts keep
   * the users of the system database.
   *
   * @return false when the home already has a store (nothing done)
   */
  public boolean setInitialPassword(Path lib, String password) {
    if (hasData()) {
      return false;
    }
    List<String> cmd = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", plugins() + "/*:" + lib.toAbsolutePath().normalize() + "/*",
        "org.neo4j.cli.AdminTool", "dbms", "set-initial-password", password);
    ProcessBuilder builder = new ProcessBuilder(cmd).directory(dir.toFile())
        .redirectErrorStream(true);
    builder.environment().put("NEO4J_HOME", dir.toString());
    builder.environment().put("NEO4J_CONF", conf().toString());
    try {
      Process process = builder.start();
      // Read to the end so the tool never blocks on a full pipe; it prints a line or two.
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(ADMIN_TOOL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("set-initial-password on " + spec.name()
            + " did not finish within " + ADMIN_TOOL_TIMEOUT);
      }
      if (process.exitValue() != 0 || !Files.exists(initialAuthFile())) {
        throw new IllegalStateException("set-initial-password on " + spec.name() + " failed (exit "
            + process.exitValue() + "): " + output.trim());
      }
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run set-initial-password on " + spec.name(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while setting the initial password", e);
    }
  }

  /**
   * Runs {@code neo4j-admin} (Neo4j's {@code AdminTool}, from the shared jars and this home's
   * plugins, with this home's {@code NEO4J_HOME}/{@code NEO4J_CONF}) with {@code args}, e.g.
   * {@code database dump neo4j --to-path=DIR}; returns its output, fails on a non-zero exit.
   */
  public String adminTool(Path lib, Duration timeout, String... args) {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", plugins() + "/*:" + lib.toAbsolutePath().normalize() + "/*",
        "org.neo4j.cli.AdminTool"));
    cmd.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(cmd).directory(dir.toFile())
        .redirectErrorStream(true);
    builder.environment().put("NEO4J_HOME", dir.toString());
    builder.environment().put("NEO4J_CONF", conf().toString());
    try {
      Process process = builder.start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("neo4j-admin " + String.join(" ", args) + " on "
            + spec.name() + " did not finish within " + timeout);
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException("neo4j-admin " + String.join(" ", args) + " on "
            + spec.name() + " failed (exit " + process.exitValue() + "): " + output.trim());
      }
      return output;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run neo4j-admin on " + spec.name(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running neo4j-admin", e);
    }
  }

  public boolean hasData() {
    return Files.isDirectory(data().resolve("databases"));
  }

  private void clearPlugins() throws IOException {
    try (Stream<Path> files = Files.list(plugins())) {
      for (Path jar : (Iterable<Path>) files::iterator) {
        if (jar.getFileName().toString().endsWith(".jar")) {
          Files.delete(jar);
        }
      }
    }
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path source : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      List<Path> all = paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList();
      for (Path path : all) {
        Files.deleteIfExists(path);
      }
    }
  }
}
