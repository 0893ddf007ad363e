package io.graft.raft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftStatus;
import io.graft.raft.api.Role;
import io.graft.raft.message.RequestVote;
import io.graft.raft.message.RequestVoteResponse;
import io.graft.raft.storage.crash.CrashFileSystem;
import io.graft.raft.storage.segmented.SegmentedLogStore;
import io.graft.raft.testing.SeedRange;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MajorityLossIT's scenario at runtime level (issue 14 item 2): three {@link RaftNodeRunner}s with
 * the segmented log and the file meta store on disk, under load; both followers die inside one of
 * their next file-system calls, without a clean shutdown, losing what they had not forced ({@link
 * CrashFileSystem}: all of it, or all but a prefix with the last write torn); the leader, alone,
 * keeps taking proposals (uncommitted entries) until CheckQuorum deposes it (in a third of the
 * rounds the load stops before the kill, so the logs may end equal); one follower comes back with
 * a possibly shorter log. Before the election
 * the test records every member's last log term and index; it taps every vote on the network and
 * asserts that the elected leader's log (as its RequestVote claimed it, and as it was) is at least
 * as up to date (§5.4.1) as the log of every member that granted it its vote. Then the third
 * member returns, and every acknowledged proposal is applied identically on all three.
 *
 * <p>{@code -Dmajority.rounds=N} (default 2, alternating the crash mode), seeds from a random base
 * printed once ({@code -Dmajority.seedBase=B} pins it); a failure names the seed
 * ({@code -Dmajority.seed=S} replays its choices; thread timing is real).
 */
class MajorityLossRuntimeTest {
  private static final int ROUNDS = Integer.getInteger("majority.rounds", 2);
  private static final Duration BOUND = Duration.ofSeconds(30);

  @TempDir Path tmp;

  @Test
  void theLeaderAfterAMajorityLossIsAtLeastAsUpToDateAsEveryMemberThatVotedForIt()
      throws Exception {
    SeedRange seeds = SeedRange.of("majority", ROUNDS, "[majority-loss-runtime]");
    long base = seeds.first();
    long rounds = seeds.count();
    for (long seed = base; seed < base + rounds; seed++) {
      try (Round round = new Round(seed, tmp.resolve("seed-" + seed))) {
        round.run();
      } catch (Throwable t) {
        throw new AssertionError("majority-loss round seed " + seed + " failed (replay its"
            + " choices: mvn -B -pl core-raft test -Dtest=MajorityLossRuntimeTest"
            + " -Dmajority.seed=" + seed + ")", t);
      }
    }
  }

  /** A member's last log entry, as §5.4.1 compares logs. */
  record LastEntry(long term, long index) {
    boolean atLeastAsUpToDateAs(LastEntry other) {
      return term > other.term || (term == other.term && index >= other.index);
    }

    @Override
    public String toString() {
      return "(t" + term + ", i" + index + ")";
    }
  }

  /** A granted (non-Pre)Vote seen on the network. */
  record Vote(MemberId voter, MemberId candidate, long term) {}

  private static final class Round implements AutoCloseable {
    final long seed;
    final SplittableRandom random;
    final Path root;
    final LocalNetwork network = new LocalNetwork();
    final Set<MemberId> voters = new java.util.LinkedHashSet<>();
    final Map<MemberId, CrashFileSystem> disks = new TreeMap<>();
    final Map<MemberId, RecordingStateMachine> machines = new TreeMap<>();
    final Map<MemberId, RaftNodeRunner> nodes = new ConcurrentHashMap<>();
    final List<Vote> grants = new CopyOnWriteArrayList<>();
    final Map<String, LastEntry> claims = new ConcurrentHashMap<>();
    final CrashFileSystem.Mode mode;
    final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    final AtomicLong proposed = new AtomicLong();

    Round(long seed, Path root) throws Exception {
      this.seed = seed;
      this.random = new SplittableRandom(seed);
      this.root = root;
      this.mode = seed % 2 == 0 ? CrashFileSystem.Mode.LOSE_UNFORCED
          : CrashFileSystem.Mode.KEEP_PREFIX;
      for (int i = 1; i <= 3; i++) {
        MemberId id = MemberId.of("m" + i);
        voters.add(id);
        disks.put(id, CrashFileSystem.over(Files.createDirectories(root.resolve(id.value()))));
        machines.put(id, new RecordingStateMachine());
      }
      network.tap((from, to, message) -> {
        if (message instanceof RequestVoteResponse r && r.granted() && !r.preVote()) {
          grants.add(new Vote(from, to, r.term()));
        } else if (message instanceof RequestVote rv && !rv.preVote()) {
          claims.put(from + "@" + rv.term(), new LastEntry(rv.lastLogTerm(), rv.lastLogIndex()));
        }
      });
    }

    void run() throws Exception {
      for (MemberId id : voters) {
        start(id);
      }
      awaitLeader(voters);

      // Load, then kill both followers while the leader keeps taking proposals.
      AtomicBoolean loading = new AtomicBoolean(true);
      Thread proposer = new Thread(() -> propose(loading), "majority-loss-proposer");
      proposer.start();
      long loadTarget = 100 + random.nextInt(300);
      // generous: on a loaded 2-core CI box three members with fsync commit slowly (one run
      // needed more than 30 s for 329 entries); the scenario, not the speed, is under test
      await("load of " + loadTarget + " acknowledged entries").atMost(BOUND.multipliedBy(4))
          .until(() -> acknowledged.size() >= loadTarget);
      boolean quiet = random.nextInt(3) == 0;
      if (quiet) {
        // Sometimes the load stops first: the logs may then end equal, and either may win.
        loading.set(false);
        proposer.join(TimeUnit.SECONDS.toMillis(30));
      }
      RaftNodeRunner leader = awaitLeader(voters);
      MemberId survivor = leader.self();
      List<MemberId> killed = new ArrayList<>(voters);
      killed.remove(survivor);
      // Under load each follower dies at one of its next few file-system calls (inside a write
      // or an fsync); idle, it dies where it stands.
      for (MemberId id : killed) {
        SplittableRandom crashRandom = new SplittableRandom(random.nextLong());
        if (quiet) {
          disks.get(id).crash(mode, crashRandom);
        } else {
          disks.get(id).crashAtCall(1 + random.nextInt(8), mode, crashRandom);
        }
      }
      for (MemberId id : killed) {
        await(id + " dies at its next file-system calls").atMost(BOUND)
            .until(() -> disks.get(id).crashed());
        kill(id);
      }
      await(survivor + " steps down without a majority (CheckQuorum)").atMost(BOUND)
          .until(() -> leader.status().role() != Role.LEADER);
      loading.set(false);
      proposer.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(proposer.isAlive()).as("proposer stopped").isFalse();

      // Who holds what, before anyone can vote again.
      Map<MemberId, LastEntry> before = new TreeMap<>();
      before.put(survivor, leader.inspectLog(r -> new LastEntry(r.term(r.lastIndex()),
          r.lastIndex())).get(10, TimeUnit.SECONDS));
      MemberId back = killed.get(random.nextInt(2));
      MemberId third = killed.get(0).equals(back) ? killed.get(1) : killed.get(0);
      before.put(back, durableLastEntry(back));
      long acknowledgedBeforeElection = acknowledged.size();

      start(back);
      network.heal(back);
      RaftNodeRunner winner = awaitLeader(Set.of(survivor, back));
      RaftStatus won = winner.status();
      MemberId other = winner.self().equals(survivor) ? back : survivor;
      List<Vote> forWinner = grants.stream()
          .filter(v -> v.candidate().equals(winner.self()) && v.term() == won.term())
          .toList();
      LastEntry claimed = claims.get(winner.self() + "@" + won.term());
      System.out.printf("[majority-loss-runtime] seed %d (%s%s): survivor %s log %s, %s back with"
              + " log %s; %s won term %d claiming %s, votes %s; %d acknowledged before the"
              + " election%n",
          seed, mode, quiet ? ", load stopped before the kill" : "", survivor,
          before.get(survivor), back, before.get(back), winner.self(),
          won.term(), claimed, forWinner, acknowledgedBeforeElection);
      assertThat(forWinner).as("with two of three members up, %s needs %s's vote", winner.self(),
          other).extracting(Vote::voter).contains(other);
      assertThat(claimed).as("%s's log as its RequestVote in term %d stated it", winner.self(),
          won.term()).isEqualTo(before.get(winner.self()));
      for (Vote vote : forWinner) {
        assertThat(claimed.atLeastAsUpToDateAs(before.get(vote.voter())))
            .as("§5.4.1: leader %s of term %d (log %s) got the vote of %s (log %s)",
                winner.self(), won.term(), claimed, vote.voter(), before.get(vote.voter()))
            .isTrue();
      }

      // The third member returns; everything acknowledged is applied identically everywhere.
      start(third);
      network.heal(third);
      RaftNodeRunner last = awaitLeader(voters);
      String marker = "after-recovery-" + seed;
      last.propose(marker.getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
      await("every member applies the entry proposed after recovery").atMost(BOUND)
          .until(() -> voters.stream().allMatch(id -> appliedPayloads(id).contains(marker)));
      List<RecordingStateMachine.Applied> reference = machines.get(last.self()).applied();
      for (MemberId id : voters) {
        List<String> applied = appliedPayloads(id);
        assertThat(applied).as("%s applies every acknowledged proposal", id)
            .containsAll(acknowledged);
        List<RecordingStateMachine.Applied> mine = machines.get(id).applied();
        int common = Math.min(mine.size(), reference.size());
        assertThat(mine.subList(0, common)).as("%s applies what %s applies", id, last.self())
            .isEqualTo(reference.subList(0, common));
      }
    }

    /**
     * Proposes unique payloads, in batches of 16, to the member that leads (or last led) until
     * stopped; records the acknowledged ones.
     */
    private void propose(AtomicBoolean loading) {
      List<java.util.concurrent.CompletableFuture<?>> pending = new ArrayList<>();
      RaftNodeRunner leader = null;
      while (loading.get()) {
        if (pending.isEmpty()) {
          await("a leader to propose to").atMost(BOUND)
              .until(() -> leaderOrNull(voters) != null || !loading.get());
          RaftNodeRunner current = leaderOrNull(voters);
          leader = current != null ? current : leader;
          if (leader == null) {
            continue;
          }
        }
        String payload = "s" + seed + "-p" + proposed.incrementAndGet();
        pending.add(leader.propose(payload.getBytes(StandardCharsets.UTF_8))
            .thenRun(() -> acknowledged.add(payload)));
        if (pending.size() >= 16) {
          for (var f : pending) {
            try {
              f.get(5, TimeUnit.SECONDS);
            } catch (Exception outcomeUnknownOrRefused) {
              // the leader lost its majority: such a write is not acknowledged
            }
          }
          pending.clear();
        }
      }
    }

    private List<String> appliedPayloads(MemberId id) {
      List<String> out = new ArrayList<>();
      for (RecordingStateMachine.Applied a : machines.get(id).applied()) {
        out.add(new String(a.payload(), StandardCharsets.UTF_8));
      }
      return out;
    }

    private void start(MemberId id) {
      CrashFileSystem disk = disks.get(id);
      RaftNodeRunner node = RaftNodeRunner.builder()
          .self(id)
          .initialVoters(voters)
          .config(LocalCluster.config())
          .tickMillis(LocalCluster.TICK_MILLIS)
          .dataDirectory(disk.root().resolve("data"))
          .transport(network.transport(id))
          .stateMachine(machines.get(id))
          .randomSeed(seed * 31 + id.hashCode())
          .build()
          .start();
      nodes.put(id, node);
    }

    /**
     * The process has died: its disk crashed (keeping only what was forced, or a prefix of the rest
     * with the last write torn) and every file call of its threads fails from then on; stop them
     * without a clean shutdown, then let the disk show what survived.
     */
    private void kill(MemberId id) {
      network.isolate(id);
      RaftNodeRunner node = nodes.remove(id);
      try {
        node.close();
      } catch (RuntimeException expected) {
        // its files are gone from under it
      }
      CrashFileSystem.CrashReport report = disks.get(id).restart();
      System.out.printf("[majority-loss-runtime] seed %d: killed %s: %s%n", seed, id, report);
    }

    /** The last entry of a stopped member's durable log (recovered as the node will). */
    private LastEntry durableLastEntry(MemberId id) {
      try (SegmentedLogStore log =
          SegmentedLogStore.open(disks.get(id).root().resolve("data").resolve("log"))) {
        return new LastEntry(log.term(log.lastIndex()), log.lastIndex());
      }
    }

    private RaftNodeRunner awaitLeader(Set<MemberId> among) {
      return await("a leader among " + among).atMost(BOUND)
          .until(() -> leaderOrNull(among), n -> n != null);
    }

    private RaftNodeRunner leaderOrNull(Set<MemberId> among) {
      RaftNodeRunner found = null;
      for (MemberId id : among) {
        RaftNodeRunner n = nodes.get(id);
        if (n != null && n.status().isLeader()
            && (found == null || n.status().term() > found.status().term())) {
          found = n;
        }
      }
      return found;
    }

    @Override
    public void close() {
      for (RaftNodeRunner n : nodes.values()) {
        try {
          n.close();
        } catch (RuntimeException ignored) {
          // closing after a failure: the failure is what the test reports
        }
      }
    }
  }
}
