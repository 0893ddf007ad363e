package io.graft.cluster.harness;

import io.graft.cluster.LocalCluster;
import io.graft.cluster.Waits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** A member's server logs: {@code logs/debug.log} (graft's lines) and {@code logs/neo4j.log}. */
public final class MemberLogs {
  private MemberLogs() {}

  /** The member's whole {@code debug.log}, line by line (empty if there is none yet). */
  public static List<String> debugLog(LocalCluster cluster, int member) {
    Path log = cluster.home(member).resolve("logs").resolve("debug.log");
    try {
      return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + log, e);
    }
  }

  /** The first line of debug.log or neo4j.log containing {@code text}, as "file: line". */
  public static Optional<String> find(LocalCluster cluster, int member, String text) {
    Path logs = cluster.home(member).resolve("logs");
    for (String name : List.of("debug.log", "neo4j.log")) {
      Path log = logs.resolve(name);
      if (!Files.exists(log)) {
        continue;
      }
      try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
        Optional<String> hit = lines.filter(l -> l.contains(text)).findFirst();
        if (hit.isPresent()) {
          return Optional.of(name + ": " + hit.get());
        }
      } catch (IOException | UncheckedIOException e) {
        // rotated or being written: the next poll reads it again
      }
    }
    return Optional.empty();
  }

  /** Waits until the member's debug.log or neo4j.log has a line with {@code text}. */
  public static String awaitLine(LocalCluster cluster, int member, String text, Duration bound) {
    return Waits.until("member-" + member + "'s logs contain '" + text + "'", bound,
        Duration.ofMillis(200), () -> find(cluster, member, text), Optional::isPresent)
        .orElseThrow();
  }
}
