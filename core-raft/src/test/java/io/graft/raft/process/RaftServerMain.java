package io.graft.raft.process;

import static java.util.concurrent.TimeUnit.SECONDS;

import io.graft.raft.api.CommitResult;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.Membership;
import io.graft.raft.api.RaftStatus;
import io.graft.raft.message.LogEntry;
import io.graft.raft.protocol.RaftConfig;
import io.graft.raft.protocol.log.LogReader;
import io.graft.raft.runtime.RaftNodeRunner;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * One graft member in its own JVM for the Tier 3 test: segmented log + meta store in {@code
 * --data}, Netty transport on {@code --id} (which is its "host:port"), {@link
 * DurableDigestStateMachine}. Line commands on stdin, one answer line each on stdout (logs go to
 * stderr):
 *
 * <pre>
 * status                 → status ROLE TERM LEADER|- COMMIT APPLIED LASTLOG
 * propose COUNT BYTES    → proposed COUNT FIRST LAST   | error MESSAGE
 * digest UPTO            → digest UPTO HEX  (CRC32C over index, term, payload of 1..UPTO)
 * smstate                → smstate APPLIED CRC
 * load COUNT BYTES       → loading COUNT  (proposes in the background; at most one load)
 * loaddone               → proposed COUNT FIRST LAST | error MESSAGE  (waits for the load)
 * add ID                 → added VOTERS | error MESSAGE  (addMember, thesis §4.2.1)
 * members                → members VOTERS LEARNERS INDEX  (comma-separated, "-" when none; INDEX
 *                          is the configuration entry's, 0 for the initial one)
 * quit                   → bye (after a clean close)
 * </pre>
 */
public final class RaftServerMain {
  private static final int WINDOW = 512;

  private RaftServerMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].substring(2), args[i + 1]);
    }
    MemberId self = MemberId.of(opts.get("id"));
    Set<MemberId> voters = new LinkedHashSet<>();
    Map<MemberId, String> peers = new HashMap<>();
    for (String m : opts.get("members").split(",")) {
      voters.add(MemberId.of(m));
      if (!m.equals(self.value())) {
        peers.put(MemberId.of(m), m);
      }
    }
    Path data = Path.of(opts.get("data"));
    Files.createDirectories(data);
    DurableDigestStateMachine sm = new DurableDigestStateMachine(data.resolve("state-machine"));
    RaftNodeRunner node =
        RaftNodeRunner.builder()
            .self(self)
            .initialVoters(voters)
            .config(RaftConfig.defaults())
            .tickMillis(Long.parseLong(opts.getOrDefault("tick-millis", "50")))
            .dataDirectory(data.resolve("raft"))
            .nettyTransport(self.value(), "tier3")
            .peers(peers)
            .stateMachine(sm)
            .randomSeed(Long.parseLong(opts.getOrDefault("seed", "1")))
            .build()
            .start();
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    out.println("ready " + self);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    SplittableRandom payloads = new SplittableRandom(self.hashCode());
    CompletableFuture<String> load = null;
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String[] cmd = line.trim().split("\\s+");
      try {
        switch (cmd[0]) {
          case "status" -> out.println(status(node.status()));
          case "propose" ->
              out.println(
                  propose(node, payloads, Integer.parseInt(cmd[1]), Integer.parseInt(cmd[2])));
          case "digest" ->
              out.println(
                  "digest "
                      + cmd[1]
                      + " "
                      + node.inspectLog(log -> digest(log, Long.parseLong(cmd[1])))
                          .get(30, TimeUnit.SECONDS));
          case "smstate" -> out.println("smstate " + sm.lastAppliedIndex() + " " + sm.crc());
          case "load" -> {
            int count = Integer.parseInt(cmd[1]);
            int bytes = Integer.parseInt(cmd[2]);
            SplittableRandom loadRandom = payloads.split();
            load =
                CompletableFuture.supplyAsync(
                    () -> {
                      try {
                        return propose(node, loadRandom, count, bytes);
                      } catch (Exception e) {
                        return "error " + e.toString().replace('\n', ' ');
                      }
                    });
            out.println("loading " + count);
          }
          case "loaddone" -> out.println(load == null ? "error no load" : load.get(120, SECONDS));
          case "add" ->
              out.println(
                  "added "
                      + join(node.addMember(MemberId.of(cmd[1])).get(120, SECONDS).voters()));
          case "members" -> {
            Membership m = node.membership();
            out.println("members " + join(m.voters()) + " " + join(m.learners()) + " " + m.index());
          }
          case "quit" -> {
            node.close();
            sm.close();
            out.println("bye");
            return;
          }
          default -> out.println("error unknown command " + Arrays.toString(cmd));
        }
      } catch (Exception e) {
        out.println("error " + e.toString().replace('\n', ' '));
      }
    }
  }

  private static String join(Set<MemberId> ids) {
    if (ids.isEmpty()) {
      return "-";
    }
    return String.join(",", ids.stream().map(MemberId::value).sorted().toList());
  }

  private static String status(RaftStatus s) {
    return "status "
        + s.role()
        + " "
        + s.term()
        + " "
        + (s.leader() == null ? "-" : s.leader())
        + " "
        + s.commitIndex()
        + " "
        + s.appliedIndex()
        + " "
        + s.lastLogIndex();
  }

  /** Proposes {@code count} random payloads with at most {@link #WINDOW} in flight. */
  private static String propose(RaftNodeRunner node, SplittableRandom random, int count, int bytes)
      throws Exception {
    ArrayDeque<CompletableFuture<CommitResult>> inflight = new ArrayDeque<>();
    long first = -1;
    long last = -1;
    for (int i = 0; i < count; i++) {
      if (inflight.size() >= WINDOW) {
        last = inflight.poll().get(30, TimeUnit.SECONDS).index();
        first = first < 0 ? last : first;
      }
      byte[] payload = new byte[bytes];
      random.nextBytes(payload);
      inflight.add(node.propose(payload));
    }
    while (!inflight.isEmpty()) {
      last = inflight.poll().get(30, TimeUnit.SECONDS).index();
      first = first < 0 ? last : first;
    }
    return "proposed " + count + " " + first + " " + last;
  }

  /** CRC32C over (index, term, payload) of every entry in [1, upTo]; the log must start at 1. */
  static String digest(LogReader log, long upTo) {
    if (log.firstIndex() != 1 || log.lastIndex() < upTo) {
      throw new IllegalStateException(
          "log holds ["
              + log.firstIndex()
              + ", "
              + log.lastIndex()
              + "], cannot digest up to "
              + upTo);
    }
    CRC32C crc = new CRC32C();
    ByteBuffer header = ByteBuffer.allocate(16);
    for (long from = 1; from <= upTo; ) {
      for (LogEntry e : log.entries(from, Math.min(upTo + 1, from + 1024), 4L << 20)) {
        header.clear();
        header.putLong(e.index()).putLong(e.term()).flip();
        crc.update(header);
        crc.update(e.payload());
        from = e.index() + 1;
      }
    }
    return Long.toHexString(crc.getValue());
  }
}
