package io.graft.raft.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.graft.raft.api.boot.RaftNodes;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

/**
 * Several members in one JVM (as several databases of one server, or a test's cluster) each log to
 * their own sink only: three production members (disk, Netty, runtime, protocol) started through
 * {@link RaftNodes} with one recording sink each elect a leader and commit; every line that names
 * the member it comes from ("graft node X", "graft vote: member X", "Raft transport of X") must
 * be in X's sink and in no other. With a process-wide sink (the design before this test), the
 * sink installed last received every member's lines and the others none.
 */
class PerMemberLoggingTest {
  private static final Pattern NAMED =
      Pattern.compile("(?:graft node|graft vote: member|Raft transport of) (\\S+?):?\\s");

  private final List<RaftNode> nodes = new ArrayList<>();

  @AfterEach
  void closeAll() {
    nodes.forEach(RaftNode::close);
  }

  @Test
  void eachMemberLogsToItsOwnSinkOnly(@TempDir Path dir) throws Exception {
    List<MemberId> voters = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      voters.add(MemberId.of("127.0.0.1:" + freePort()));
    }
    Map<MemberId, Recording> sinks = new LinkedHashMap<>();
    for (MemberId id : voters) {
      Recording sink = new Recording();
      sinks.put(id, sink);
      nodes.add(RaftNodes.start(
          RaftNodeSetup.member(id, dir.resolve(directoryName(id)))
              .listenAddress(id.value()).clusterId("per-member-logging")
              .initialVoters(voters).timeouts(Duration.ofSeconds(2), Duration.ofMillis(100))
              .logging(RaftLogging.to(sink)),
          new Counter()));
    }
    await("an entry committed through whoever leads").atMost(Duration.ofSeconds(90))
        .until(this::proposedThroughTheLeader);
    await("a vote logged by a voter's protocol").atMost(Duration.ofSeconds(60))
        .until(() -> sinks.values().stream().filter(s -> s.contains("graft vote: member"))
            .count() >= 1);

    for (Map.Entry<MemberId, Recording> e : sinks.entrySet()) {
      String self = e.getKey().value();
      List<String> lines = e.getValue().snapshot();
      assertThat(lines).as("%s's own start line", self)
          .anyMatch(l -> l.contains("graft node " + self + " started"));
      assertThat(lines).as("%s's transport", self)
          .anyMatch(l -> l.contains("Raft transport of " + self + " listening"));
      assertThat(lines).as("%s's incarnation, from its storage", self)
          .anyMatch(l -> l.contains("New Raft incarnation")
              && l.contains(directoryName(e.getKey())));
      for (String line : lines) {
        Matcher m = NAMED.matcher(line);
        if (m.find()) {
          assertThat(m.group(1)).as("member named in a line of %s's sink: %s", self, line)
              .isEqualTo(self);
        }
      }
    }
  }

  private boolean proposedThroughTheLeader() {
    for (RaftNode n : nodes) {
      if (n.status().isLeader()) {
        try {
          n.propose("x".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
          return true;
        } catch (Exception e) {
          return false; // lost leadership meanwhile: try whoever leads next
        }
      }
    }
    return false;
  }

  private static String directoryName(MemberId id) {
    return "member-" + id.value().replace(':', '-');
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static final class Recording implements RaftLogging.Sink {
    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();

    @Override
    public boolean enabled(String logger, Level level) {
      return true;
    }

    @Override
    public void log(String logger, Level level, String message, Throwable cause) {
      lines.add(level + " " + message);
    }

    boolean contains(String text) {
      return lines.stream().anyMatch(l -> l.contains(text));
    }

    List<String> snapshot() {
      return List.copyOf(lines);
    }
  }

  private static final class Counter implements StateMachine {
    private volatile long lastApplied;

    @Override
    public Object apply(CommittedEntry entry) {
      lastApplied = entry.index();
      return lastApplied;
    }

    @Override
    public long lastAppliedIndex() {
      return lastApplied;
    }
  }
}
