package io.graft.cluster;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A class data sharing archive (JDK CDS, {@code -XX:SharedArchiveFile}) of the classes a Neo4j
 * server loads while it starts, for quick-start test servers only ({@code fastStart}). A server
 * that maps its classes from the archive instead of parsing and verifying them starts in about
 * 3.7 s of CPU instead of 6.5 s (measured on this 2-core machine); a test run starts some 80
 * servers, mostly three at a time on two cores.
 *
 * <p>The archive is made once per Neo4j {@code lib} folder, JDK and flag set (all in its file
 * name's key, with every jar's size and time, so a rebuilt lib gets a new one): a training server
 * on an empty home, started with {@code -XX:ArchiveClassesAtExit} and {@code lib} alone on its
 * class path, is stopped cleanly once it has started, and the JVM writes the archive as it exits.
 * The JDK accepts an archive only when the runtime class path begins with the one it was made
 * with, so servers that use it put {@code lib} first, before their own {@code plugins/} (whose
 * jar holds only {@code io.graft} classes, so the order changes no class a server loads). The
 * JVM checks the archive again at every start and ignores one that does not match.
 *
 * <p>Anything that goes wrong while training (the JVM, a port, a timeout) is written next to the
 * archive ({@code .failed}, not retried for the same key) and servers start without it: an
 * archive only makes starts quicker, it never decides whether one works.
 */
public final class NeoClassArchive {
  private static final Duration TRAINING_START = Duration.ofMinutes(3);
  private static final Duration TRAINING_EXIT = Duration.ofMinutes(1);
  private static final Object LOCK = new Object();

  private NeoClassArchive() {}

  /**
   * Makes the archive for quick starts from {@code args[0]} (a {@code lib} folder) with this JVM's
   * JDK, if it does not exist yet. The build runs this in the background right after {@code
   * local-cluster} copied the lib (exec-maven-plugin, {@code async}), so the training (~25 s of a
   * core) overlaps the next modules' tests instead of delaying the first server test; a test JVM
   * that needs the archive meanwhile waits on the same file lock, and finds it made.
   */
  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: NeoClassArchive <neo4j lib folder>");
      System.exit(2);
    }
    // Whoever stops this JVM (SIGTERM, Ctrl-C) stops the training server too.
    Runtime.getRuntime().addShutdownHook(new Thread(() ->
        ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly)));
    Path lib = Path.of(args[0]).toAbsolutePath().normalize();
    forQuickStarts(lib, line -> System.out.println(
        line.replace("[cds] ", "[cds, in the background] ")));
  }

  /**
   * The archive for quick-start servers run by this JVM's JDK from {@code lib}: the one key both
   * {@link ServerProcess} and the background training ({@link #main}) use, so they always agree.
   */
  static Optional<Path> forQuickStarts(Path lib, Consumer<String> log) {
    return forLib(ServerProcess.java(), ServerProcess.quickStartFlags(), lib, log);
  }

  /**
   * The archive for servers run by {@code java} with {@code flags} from {@code lib}, made now if
   * it does not exist yet; empty if it cannot be made.
   */
  public static Optional<Path> forLib(Path java, List<String> flags, Path lib,
      Consumer<String> log) {
    Path dir = lib.resolveSibling(lib.getFileName() + "-cds");
    synchronized (LOCK) {
      try {
        Files.createDirectories(dir);
        String key = key(java, flags, lib);
        Path archive = dir.resolve("neo4j-" + key + ".jsa");
        Path failed = dir.resolve("neo4j-" + key + ".failed");
        if (Files.exists(archive)) {
          return Optional.of(archive);
        }
        if (Files.exists(failed)) {
          return Optional.empty();
        }
        // Other JVMs (a second build, the CLI) may train at the same time: one trains.
        try (FileChannel channel = FileChannel.open(dir.resolve(".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock ignored = channel.lock()) {
          if (Files.exists(archive)) {
            return Optional.of(archive);
          }
          if (Files.exists(failed)) {
            return Optional.empty();
          }
          try {
            train(java, flags, lib, dir, archive, log);
            return Optional.of(archive);
          } catch (RuntimeException | IOException e) {
            Files.writeString(failed, String.valueOf(e) + System.lineSeparator());
            log.accept("[cds] no class data archive for quick starts (" + e.getMessage()
                + "); servers start without one. Details: " + failed);
            return Optional.empty();
          }
        }
      } catch (IOException e) {
        log.accept("[cds] cannot use " + dir + " (" + e + "); servers start without an archive");
        return Optional.empty();
      }
    }
  }

  private static void train(Path java, List<String> flags, Path lib, Path dir, Path archive,
      Consumer<String> log) throws IOException {
    long began = System.nanoTime();
    log.accept("[cds] making a class data archive of Neo4j's classes for quick test starts"
        + " (once per build): " + archive.getFileName());
    Path home = Files.createTempDirectory(dir, "training-");
    Path partial = dir.resolve(archive.getFileName() + ".partial");
    Files.deleteIfExists(partial);
    try {
      Path conf = Files.createDirectories(home.resolve("conf"));
      Files.writeString(conf.resolve("neo4j.conf"), String.join(System.lineSeparator(),
          "server.default_listen_address=127.0.0.1",
          "server.bolt.listen_address=127.0.0.1:" + Ports.freePort(),
          "server.http.listen_address=127.0.0.1:" + Ports.freePort(),
          "server.https.enabled=false",
          "dbms.security.auth_enabled=false",
          "dbms.usage_report.enabled=false",
          "server.memory.pagecache.size=64m",
          "db.tx_log.preallocate=false",
          ""));
      List<String> cmd = new ArrayList<>();
      cmd.add(java.toString());
      cmd.addAll(flags);
      cmd.add("-XX:ArchiveClassesAtExit=" + partial);
      cmd.add("-cp");
      cmd.add(lib + "/*");
      cmd.add("org.neo4j.server.CommunityEntryPoint");
      cmd.add("--home-dir=" + home);
      cmd.add("--config-dir=" + conf);
      Process process = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true)
          .redirectOutput(home.resolve("console.log").toFile()).start();
      try {
        Path neo4jLog = home.resolve("logs").resolve("neo4j.log");
        Waits.until("the training server started", TRAINING_START, Duration.ofMillis(200),
            () -> {
              if (!process.isAlive()) {
                throw new IllegalStateException("the training server exited: "
                    + ServerProcess.tail(home.resolve("console.log"), 10));
              }
              return Files.exists(neo4jLog) && Files.readString(neo4jLog).contains(" Started.");
            }, started -> started);
        process.destroy(); // SIGTERM: a clean exit, and the JVM writes the archive as it exits
        if (!process.waitFor(TRAINING_EXIT.toSeconds(), TimeUnit.SECONDS)) {
          throw new IllegalStateException("the training server did not exit within "
              + TRAINING_EXIT.toSeconds() + " s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while training", e);
      } finally {
        process.destroyForcibly();
      }
      if (!Files.exists(partial) || Files.size(partial) == 0) {
        throw new IllegalStateException("the JVM wrote no archive: "
            + ServerProcess.tail(home.resolve("console.log"), 10));
      }
      Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE);
      log.accept(String.format("[cds] archive made in %d s (%d MB)",
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began),
          Files.size(archive) >> 20));
    } finally {
      try {
        NeoHome.deleteTree(home);
      } catch (IOException e) {
        // a leftover training home in target/ is harmless
      }
    }
  }

  /** The JDK, the flags and every jar of {@code lib} (name, size, time): what the JVM checks. */
  static String key(Path java, List<String> flags, Path lib) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    StringBuilder text = new StringBuilder();
    text.append(java.toRealPath()).append('\n').append(System.getProperty("java.vm.version"))
        .append('\n').append(String.join(" ", flags)).append('\n');
    try (Stream<Path> jars = Files.list(lib)) {
      for (Path jar : jars.sorted().toList()) {
        text.append(jar.getFileName()).append(' ').append(Files.size(jar)).append(' ')
            .append(Files.getLastModifiedTime(jar).toMillis()).append('\n');
      }
    }
    byte[] hash = sha.digest(text.toString().getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(hash, 0, 8);
  }
}
