package io.graft.raft.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/**
 * The child JVMs' logs live in the test's temporary folder, which JUnit deletes; when a test fails
 * they are the only record of what the members did, so a failing test prints their tails (and
 * what each live member reports).
 */
final class MemberLogs {
  private static final int TAIL_LINES = 150;
  private static final Duration ANSWER = Duration.ofSeconds(5);

  private MemberLogs() {}

  /** Prints the last lines of every {@code member-*.log} in {@code dir} to standard output. */
  static void printTails(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path log : files.filter(MemberLogs::isMemberLog).sorted().toList()) {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        int from = Math.max(0, lines.size() - TAIL_LINES);
        System.out.printf("---- %s: last %d of %d lines%n", log.getFileName(),
            lines.size() - from, lines.size());
        lines.subList(from, lines.size()).forEach(System.out::println);
      }
    } catch (IOException e) {
      System.out.println("---- cannot read the member logs in " + dir + ": " + e);
    }
  }

  /**
   * Prints what every live member reports (status and membership), each answer bounded by a few
   * seconds: after a failure the members may be stopped or busy.
   */
  static void printStates(Collection<ServerProcess> members) {
    for (ServerProcess p : members) {
      String state;
      try {
        state = p.isAlive()
            ? p.call("status", ANSWER) + " | " + p.call("members", ANSWER)
            : "exited";
      } catch (RuntimeException e) {
        state = "no answer: " + e.getMessage();
      }
      System.out.printf("---- %s: %s%n", p.id, state);
    }
  }

  private static boolean isMemberLog(Path p) {
    String name = p.getFileName().toString();
    return name.startsWith("member-") && name.endsWith(".log");
  }
}
