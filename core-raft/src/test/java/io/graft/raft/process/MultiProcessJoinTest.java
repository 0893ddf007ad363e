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
 * Tier 3 membership (thesis §4.1, §4.2.1): three members in separate JVMs on real disks and
 * sockets, a client load running on the leader, and a fourth JVM that starts outside the
 * configuration (a joining member) and is added with addMember: it joins as a learner, is caught
 * up in rounds while the load continues, is promoted, and ends with the same log digest and state
 * machine as the others.
 */
class MultiProcessJoinTest {
  private static final Duration CALL = Duration.ofSeconds(150);
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path tmp;

  @Test
  @Timeout(value = 180)
  void fourthMemberJoinsUnderLoadWithIdenticalLogDigest() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ids.add("127.0.0.1:" + freePort());
    }
    String founders = String.join(",", ids.subList(0, 3));
    String joiner = ids.get(3);
    Map<String, ServerProcess> procs = new LinkedHashMap<>();
    try {
      for (int i = 0; i < 3; i++) {
        procs.put(ids.get(i), startMember(ids.get(i), founders, i));
      }
      ServerProcess leader = awaitLeader(procs);
      assertThat(leader.call("propose 3000 128", CALL)).startsWith("proposed 3000 ");
      assertThat(leader.call("load 6000 128", CALL)).isEqualTo("loading 6000");

      // Not in --members: it starts with an empty configuration and waits for the leader.
      ServerProcess fourth = startMember(joiner, founders, 3);
      procs.put(joiner, fourth);
      assertThat(status(fourth).role()).isNotEqualTo("LEADER");
      String added = leader.call("add " + joiner, CALL);
      assertThat(added).startsWith("added ").contains(joiner);
      assertThat(leader.call("loaddone", CALL)).startsWith("proposed 6000 ");
      assertThat(fourth.call("members", CALL)).contains(joiner);

      // A re-election after the add is allowed (four JVMs on two cores): the last writes go
      // through whoever leads now, which all four members follow.
      ServerProcess current = awaitLeader(procs);
      assertThat(current.call("propose 100 128", CALL)).startsWith("proposed 100 ");
      long commit = status(current).commit();
      assertThat(commit).isGreaterThanOrEqualTo(9_100);
      await()
          .atMost(WAIT)
          .until(() -> procs.values().stream().allMatch(p -> status(p).applied() >= commit));
      List<String> digests = new ArrayList<>();
      for (ServerProcess p : procs.values()) {
        digests.add(p.call("digest " + commit, CALL));
      }
      assertThat(digests)
          .hasSize(4)
          .allSatisfy(d -> assertThat(d).startsWith("digest "))
          .containsOnly(digests.get(0));
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

  private static ServerProcess awaitLeader(Map<String, ServerProcess> procs) {
    return await()
        .atMost(WAIT)
        .until(
            () -> {
              for (ServerProcess p : procs.values()) {
                MultiProcessRaftTest.Status s = status(p);
                if (s.role().equals("LEADER")
                    && procs.values().stream().allMatch(o -> p.id.equals(status(o).leader()))) {
                  return p;
                }
              }
              return null;
            },
            Objects::nonNull);
  }

  private static MultiProcessRaftTest.Status status(ServerProcess p) {
    return MultiProcessRaftTest.Status.parse(p.call("status", CALL));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
