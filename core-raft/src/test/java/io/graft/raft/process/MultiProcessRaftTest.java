package io.graft.raft.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tier 3 (docs/TESTING.md): three members in separate JVMs, real disks, real sockets. Elect,
 * replicate 10,000 entries, kill -9 the leader, a new leader commits more, the killed member
 * restarts on its data directory and catches up; then every member holds the same log (per-index
 * term + payload digest up to the common commit index) and the same applied state.
 */
class MultiProcessRaftTest {
  private static final Duration CALL = Duration.ofSeconds(60);
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path tmp;

  /** Parsed "status ROLE TERM LEADER COMMIT APPLIED LASTLOG". */
  record Status(String role, long term, String leader, long commit, long applied, long lastLog) {
    static Status parse(String line) {
      String[] f = line.split(" ");
      if (!f[0].equals("status")) {
        throw new IllegalStateException("not a status line: " + line);
      }
      return new Status(
          f[1],
          Long.parseLong(f[2]),
          f[3],
          Long.parseLong(f[4]),
          Long.parseLong(f[5]),
          Long.parseLong(f[6]));
    }
  }

  @Test
  @Timeout(value = 110)
  void survivesLeaderKillAndRestartWithIdenticalLogs() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add("127.0.0.1:" + freePort());
    }
    String members = String.join(",", ids);
    Map<String, ServerProcess> procs = new LinkedHashMap<>();
    try {
      for (int i = 0; i < 3; i++) {
        procs.put(ids.get(i), startMember(ids.get(i), members, i));
      }
      ServerProcess leader = awaitLeader(procs, null);
      assertThat(leader.call("propose 10000 128", CALL)).startsWith("proposed 10000 ");
      long firstCommit = status(leader).commit();
      assertThat(firstCommit).isGreaterThanOrEqualTo(10_000);

      String killed = leader.id;
      leader.kill();
      procs.remove(killed);
      ServerProcess second = awaitLeader(procs, killed);
      assertThat(second.call("propose 2000 128", CALL)).startsWith("proposed 2000 ");

      int killedSlot = ids.indexOf(killed);
      ServerProcess restarted = startMember(killed, members, killedSlot);
      procs.put(killed, restarted);
      // It resumes from its durable state machine record, not from index 0.
      long resumedAt = Long.parseLong(restarted.call("smstate", CALL).split(" ")[1]);
      assertThat(resumedAt).isGreaterThanOrEqualTo(10_000);
      ServerProcess newLeader = awaitLeader(procs, null);
      assertThat(newLeader.call("propose 100 128", CALL)).startsWith("proposed 100 ");
      long commit = status(newLeader).commit();
      assertThat(commit).isGreaterThanOrEqualTo(12_100);
      await()
          .atMost(WAIT)
          .until(() -> procs.values().stream().allMatch(p -> status(p).applied() >= commit));

      long common = procs.values().stream().mapToLong(p -> status(p).commit()).min().orElseThrow();
      List<String> digests = new ArrayList<>();
      List<String> states = new ArrayList<>();
      for (ServerProcess p : procs.values()) {
        digests.add(p.call("digest " + common, CALL));
        states.add(p.call("smstate", CALL));
      }
      assertThat(digests).hasSize(3);
      assertThat(digests)
          .allSatisfy(d -> assertThat(d).startsWith("digest "))
          .containsOnly(digests.get(0));
      assertThat(states.get(0)).startsWith("smstate ");
      await()
          .atMost(WAIT)
          .until(
              () ->
                  procs.values().stream().map(p -> p.call("smstate", CALL)).distinct().count()
                      == 1);
    } catch (Throwable t) {
      MemberLogs.printStates(procs.values());
      MemberLogs.printTails(tmp);
      throw t;
    } finally {
      for (ServerProcess p : procs.values()) {
        p.close();
      }
    }
  }

  private ServerProcess startMember(String id, String members, int slot) throws IOException {
    Path dir = tmp.resolve("member-" + slot);
    Files.createDirectories(dir);
    return ServerProcess.start(id, members, dir, tmp.resolve("member-" + slot + ".log"), slot + 1);
  }

  /** The one member that reports LEADER and that every other live member follows. */
  private static ServerProcess awaitLeader(Map<String, ServerProcess> procs, String notThis) {
    return await()
        .atMost(WAIT)
        .until(
            () -> {
              for (ServerProcess p : procs.values()) {
                Status s = status(p);
                if (s.role().equals("LEADER")
                    && !p.id.equals(notThis)
                    && procs.values().stream().allMatch(o -> p.id.equals(status(o).leader()))) {
                  return p;
                }
              }
              return null;
            },
            Objects::nonNull);
  }

  private static Status status(ServerProcess p) {
    return Status.parse(p.call("status", CALL));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
