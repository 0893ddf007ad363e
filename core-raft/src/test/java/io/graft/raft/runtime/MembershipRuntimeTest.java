package io.graft.raft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Membership;
import io.graft.raft.api.MembershipChangeException;
import io.graft.raft.api.MembershipChangeException.Reason;
import io.graft.raft.api.ProposalRejectedException;
import io.graft.raft.api.RaftException;
import io.graft.raft.api.RaftStatus;
import io.graft.raft.api.Role;
import io.graft.raft.message.LogEntry;
import io.graft.raft.protocol.log.LogReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Membership changes (thesis §4.1-§4.2) and leadership transfer (§3.10) through the real runner:
 * owner threads, ticker, apply worker, on an in-memory network, with a client writing meanwhile.
 */
class MembershipRuntimeTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final MemberId M1 = MemberId.of("m1");
  private static final MemberId M4 = MemberId.of("m4");
  private static final MemberId M5 = MemberId.of("m5");

  private LocalCluster cluster;
  private Writer writer;

  @AfterEach
  void tearDown() {
    if (writer != null) {
      writer.stop();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** A client proposing small entries to whoever leads, until stopped. */
  private static final class Writer implements Runnable {
    private final LocalCluster cluster;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong committed = new AtomicLong();
    private final Thread thread = new Thread(this, "membership-test-writer");

    Writer(LocalCluster cluster) {
      this.cluster = cluster;
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void run() {
      long n = 0;
      while (running.get()) {
        RaftNodeRunner leader = await("a leader to write to").atMost(WAIT)
            .pollInterval(Duration.ofMillis(5))
            .until(cluster::leaderOrNull, l -> l != null || !running.get());
        if (leader == null) {
          continue; // stopped
        }
        try {
          leader.propose(("w" + n++).getBytes()).get(5, TimeUnit.SECONDS);
          committed.incrementAndGet();
        } catch (Exception e) {
          // not leader any more, transfer in progress, shut down: try the next leader
        }
      }
    }

    long committed() {
      return committed.get();
    }

    void awaitMore(long than) {
      await().atMost(WAIT).until(() -> committed.get() > than + 20);
    }

    void stop() {
      running.set(false);
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private static Reason reasonOf(CompletableFuture<?> f) {
    try {
      f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return ((MembershipChangeException) e.getCause()).reason();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected a failure");
  }

  /** Stops the writer, waits until every running member applied the leader's commit, compares. */
  private void assertIdenticalLogs(List<MemberId> members) {
    writer.stop();
    long index = Reelections.commit(cluster::awaitLeader, "final".getBytes()).index();
    await()
        .atMost(WAIT)
        .until(
            () ->
                members.stream()
                    .allMatch(m -> cluster.nodes.get(m).status().appliedIndex() >= index));
    List<List<String>> logs = new ArrayList<>();
    for (MemberId m : members) {
      List<String> out = new ArrayList<>();
      cluster.nodes.get(m).inspectLog(log -> describe(log, index, out)).join();
      logs.add(out);
    }
    for (List<String> log : logs) {
      assertThat(log).hasSize((int) index).isEqualTo(logs.get(0));
    }
  }

  /** Closes what an earlier (void) attempt left running. */
  private void fresh() {
    tearDown();
    writer = null;
    cluster = null;
  }

  private static Void describe(LogReader log, long upTo, List<String> out) {
    for (long i = 1; i <= upTo; ) {
      for (LogEntry e : log.entries(i, upTo + 1, 1L << 20)) {
        out.add(e.term() + "/" + e.type() + "/" + Arrays.hashCode(e.payload()));
        i++;
      }
    }
    return null;
  }

  /** A transfer that timed out, or met another leader, proves nothing about the transfer. */
  private static MemberId transfer(Reelections.Term term, CompletableFuture<MemberId> transfer)
      throws Exception {
    try {
      return get(transfer);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof MembershipChangeException m
          && m.reason() == Reason.TIMED_OUT) {
        term.voidAttempt("transfer timed out (a starved target misses its election timeout): "
            + m.getMessage());
      }
      throw e;
    }
  }

  @Test
  void threeToFiveUnderWriteLoadEndsWithIdenticalLogs_4_1() throws Exception {
    cluster = new LocalCluster(3, ConsensusMachine.RAFT, 11).start();
    cluster.addSpare(M4);
    cluster.addSpare(M5);
    cluster.awaitLeader();
    writer = new Writer(cluster);
    writer.awaitMore(0);
    cluster.start(M4, b -> b);
    cluster.start(M5, b -> b);
    assertThat(cluster.nodes.get(M4).status().role()).isNotEqualTo(Role.LEADER);
    Membership four = Reelections.change(cluster::awaitLeader, l -> l.addMember(M4),
        m -> m.voters().contains(M4));
    assertThat(four.voters()).contains(M4).hasSize(4);
    writer.awaitMore(writer.committed());
    Membership five = Reelections.change(cluster::awaitLeader, l -> l.addMember(M5),
        m -> m.voters().contains(M5));
    assertThat(five.voters()).hasSize(5);
    assertThat(five.learners()).isEmpty();
    writer.awaitMore(writer.committed());
    await().atMost(WAIT).until(() -> cluster.nodes.get(M5).membership().voters().size() == 5);
    assertIdenticalLogs(List.copyOf(cluster.nodes.keySet()));
  }

  @Test
  void fiveToThreeUnderWriteLoadIncludingTheLeader_4_2_2() throws Exception {
    Reelections.inOneTerm("the leader removes itself", term -> {
      fresh();
      cluster = new LocalCluster(5, ConsensusMachine.RAFT, 12).start();
      RaftNodeRunner first = cluster.awaitLeader();
      writer = new Writer(cluster);
      writer.awaitMore(0);
      MemberId follower =
          cluster.nodes.keySet().stream().filter(m -> !m.equals(first.self())).findFirst().get();
      Membership four = Reelections.change(cluster::awaitLeader, l -> l.removeMember(follower),
          m -> !m.voters().contains(follower));
      assertThat(four.voters()).hasSize(4).doesNotContain(follower);
      writer.awaitMore(writer.committed());
      // Remove the leader itself: it steps down once the change commits and never campaigns
      // again. Its own answer says it led until the change committed; a NOT_LEADER or TIMED_OUT
      // (it lost its term first) voids the attempt.
      RaftNodeRunner leader = term.watch(cluster.awaitLeader());
      Membership three;
      try {
        three = get(leader.removeMember(leader.self()));
      } catch (ExecutionException e) {
        if (Reelections.reelection(e)) {
          term.voidAttempt(leader.self() + " lost its term before removing itself: " + e);
        }
        throw e;
      }
      term.premiseMet(); // it led until its removal committed; now it steps down by design
      assertThat(three.voters()).hasSize(3).doesNotContain(leader.self());
      await().atMost(WAIT).until(() -> {
        RaftNodeRunner l = cluster.leaderOrNull();
        return l != null && !l.self().equals(leader.self());
      });
      writer.awaitMore(writer.committed());
      assertThat(leader.status().role()).isNotEqualTo(Role.LEADER);
      List<MemberId> remaining = new ArrayList<>(three.voters());
      assertIdenticalLogs(remaining);
      long now = cluster.awaitLeader().status().term();
      assertThat(leader.status().term()).isLessThanOrEqualTo(now);
      return null;
    });
  }

  @Test
  void addingAServerThatIsNotRunningFailsCleanlyWhileTheClusterKeepsCommitting_4_2_1()
      throws Exception {
    Reelections.inOneTerm("a change refused while another runs, in one term", term -> {
      fresh();
      cluster = new LocalCluster(3, ConsensusMachine.RAFT, 13).start();
      RaftNodeRunner leader = term.watch(cluster.awaitLeader());
      writer = new Writer(cluster);
      writer.awaitMore(0);
      long before = writer.committed();
      CompletableFuture<Membership> add = leader.addMember(M4);
      // Overlapping change requests are refused while the first one runs (§4.1).
      CompletableFuture<Membership> overlap = leader.removeMember(MemberId.of("m3"));
      assertThat(reasonOf(overlap)).isEqualTo(Reason.CHANGE_IN_PROGRESS);
      assertThat(reasonOf(add)).isEqualTo(Reason.UNREACHABLE);
      assertThat(writer.committed()).isGreaterThan(before);
      await().atMost(WAIT).until(() -> leader.membership().learners().isEmpty());
      assertThat(leader.membership().voters()).hasSize(3);
      writer.awaitMore(writer.committed());
      return null;
    });
  }

  @Test
  void killingTheLeaderDuringAChangeLeavesAUsableCluster() throws Exception {
    Reelections.inOneTerm("the leader dies during a change", term -> {
      fresh();
      cluster = new LocalCluster(3, ConsensusMachine.RAFT, 14).start();
      cluster.addSpare(M4);
      RaftNodeRunner leader = term.watch(cluster.awaitLeader());
      writer = new Writer(cluster);
      writer.awaitMore(0);
      CompletableFuture<Membership> add = leader.addMember(M4); // M4 not started: catching up
      await().atMost(WAIT).until(() -> leader.membership().learners().contains(M4)
          || add.isDone() || !term.held());
      assertThat(leader.membership().learners()).contains(M4);
      leader.close(); // its status stays as it was: from here on the attempt counts
      assertThatThrownBy(() -> add.get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(RaftException.class);
      cluster.nodes.remove(leader.self());
      cluster.start(M4, b -> b);
      await().atMost(WAIT).until(() -> {
        RaftNodeRunner l = cluster.leaderOrNull();
        return l != null && l != leader;
      });
      writer.awaitMore(writer.committed());
      // Nobody asks again: the new leader finds M4 left as a learner and finishes the add itself
      // (catch-up rounds, then promotion), so an interrupted add leaves no learner behind.
      await().atMost(WAIT)
          .until(() -> cluster.awaitLeader().membership().voters().contains(M4));
      Membership after = cluster.awaitLeader().membership();
      assertThat(after.learners()).isEmpty();
      assertThat(after.voters()).contains(M4);
      assertIdenticalLogs(List.copyOf(cluster.nodes.keySet()));
      return null;
    });
  }

  @Test
  void transferLeadershipCompletesWithTheNewLeader_3_10() throws Exception {
    Reelections.inOneTerm("transfer to a follower", term -> {
      fresh();
      cluster = new LocalCluster(3, ConsensusMachine.RAFT, 15).start();
      RaftNodeRunner leader = term.watch(cluster.awaitLeader());
      writer = new Writer(cluster);
      writer.awaitMore(0);
      MemberId target =
          cluster.nodes.keySet().stream().filter(m -> !m.equals(leader.self())).findFirst().get();
      assertThat(transfer(term, leader.transferLeadership(target))).isEqualTo(target);
      term.premiseMet(); // the transfer ended its term on purpose
      await().atMost(WAIT).until(() -> cluster.nodes.get(target).status().isLeader());
      writer.awaitMore(writer.committed());
      RaftNodeRunner now = term.watch(cluster.awaitLeader());
      assertThat(reasonOf(now.transferLeadership(MemberId.of("nobody"))))
          .isEqualTo(Reason.INVALID_TARGET);
      assertThat(get(now.transferLeadership(now.self()))).isEqualTo(now.self());
      return null;
    });
  }

  @Test
  void transferToAnUnreachableTargetGivesUpAndProposalsResume_3_10() throws Exception {
    Reelections.inOneTerm("transfer to an unreachable target", term -> {
      fresh();
      cluster = new LocalCluster(3, ConsensusMachine.RAFT, 19).start();
      RaftNodeRunner leader = term.watch(cluster.awaitLeader());
      MemberId target =
          cluster.nodes.keySet().stream().filter(m -> !m.equals(leader.self())).findFirst().get();
      cluster.network.isolate(target);
      CompletableFuture<MemberId> transfer = leader.transferLeadership(target);
      // Queued after the transfer on the same owner thread: refused while the transfer runs.
      CompletableFuture<?> during = leader.propose("during".getBytes());
      assertThatThrownBy(() -> during.get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(ProposalRejectedException.class)
          .hasMessageContaining("transfer");
      assertThat(reasonOf(transfer)).isEqualTo(Reason.TIMED_OUT);
      assertThat(leader.status().isLeader()).isTrue();
      assertThat(get(leader.propose("after".getBytes())).index()).isPositive();
      cluster.network.heal(target);
      return null;
    });
  }

  @Test
  void followersForwardChangesAndTransfersToTheLeader() throws Exception {
    Reelections.inOneTerm("changes forwarded to one leader", term -> {
      fresh();
      cluster = new LocalCluster(3, ConsensusMachine.RAFT, 17).start();
      cluster.addSpare(M4);
      RaftNodeRunner leader = term.watch(cluster.awaitLeader());
      writer = new Writer(cluster);
      writer.awaitMore(0);
      RaftNodeRunner follower =
          cluster.nodes.values().stream().filter(n -> n != leader).findFirst().get();
      cluster.start(M4, b -> b);
      Membership four = get(follower.addMember(M4));
      assertThat(four.voters()).contains(M4).hasSize(4);
      assertThat(reasonOf(follower.addMember(M4))).isEqualTo(Reason.ALREADY_MEMBER);
      assertThat(transfer(term, follower.transferLeadership(follower.self())))
          .isEqualTo(follower.self());
      term.premiseMet(); // the transfer ended the old leader's term on purpose
      await().atMost(WAIT).until(() -> follower.status().isLeader());
      term.watch(follower);
      RaftNodeRunner other =
          cluster.nodes.values().stream()
              .filter(n -> n != follower && !n.self().equals(M4))
              .findFirst()
              .get();
      Membership three = get(other.removeMember(M4));
      assertThat(three.voters()).hasSize(3).doesNotContain(M4);
      writer.awaitMore(writer.committed());
      // A member that knows no leader refuses with NOT_LEADER and no hint.
      cluster.network.isolate(other.self());
      await().atMost(WAIT).until(() -> other.status().leader() == null);
      CompletableFuture<Membership> orphan = other.removeMember(follower.self());
      assertThatThrownBy(() -> orphan.get(30, TimeUnit.SECONDS))
          .satisfies(
              e -> {
                MembershipChangeException m = (MembershipChangeException) e.getCause();
                assertThat(m.reason()).isEqualTo(Reason.NOT_LEADER);
                assertThat(m.leaderHint()).isNull();
              });
      cluster.network.heal(other.self());
      return null;
    });
  }

  @Test
  void configurationSurvivesRestartsOfAFounderAndOfTheJoinedMember() throws Exception {
    cluster = new LocalCluster(3, ConsensusMachine.RAFT, 18).start();
    cluster.addSpare(M4);
    cluster.awaitLeader();
    cluster.start(M4, b -> b);
    Membership four = Reelections.change(cluster::awaitLeader, l -> l.addMember(M4),
        m -> m.voters().contains(M4));
    await().atMost(WAIT).until(() -> cluster.nodes.get(M4).membership().equals(four));
    MemberId founder = cluster.voters.stream().filter(m -> !cluster.nodes.get(m).status()
        .isLeader()).findFirst().get();
    await().atMost(WAIT).until(() -> cluster.nodes.get(founder).membership().equals(four));
    for (MemberId m : List.of(founder, M4)) {
      cluster.nodes.get(m).close();
      RaftNodeRunner restarted = cluster.start(m, b -> b);
      // Recovered from the log at start, before any message from the leader.
      assertThat(restarted.membership()).isEqualTo(four);
    }
    writer = new Writer(cluster);
    writer.awaitMore(0);
    assertIdenticalLogs(List.copyOf(cluster.nodes.keySet()));
  }

  @Test
  void statusAndMembershipShowLearnersAndLag() throws Exception {
    Reelections.inOneTerm("a learner in one leader's status", term -> {
      fresh();
      cluster = new LocalCluster(3, ConsensusMachine.RAFT, 16).start();
      cluster.addSpare(M4);
      RaftNodeRunner leader = term.watch(cluster.awaitLeader());
      assertThat(leader.membership().voters()).hasSize(3);
      CompletableFuture<Membership> add = leader.addMember(M4); // not running: stays a learner
      await().atMost(WAIT).until(() -> leader.status().member(M4) != null || add.isDone());
      RaftStatus.MemberStatus row = leader.status().member(M4);
      assertThat(row).isNotNull();
      assertThat(row.role()).isEqualTo(Role.LEARNER);
      assertThat(row.voting()).isFalse();
      assertThat(row.lag()).isPositive();
      assertThat(row.lastContactMillis()).isEqualTo(-1);
      RaftStatus.MemberStatus self = leader.status().member(leader.self());
      assertThat(self.role()).isEqualTo(Role.LEADER);
      assertThat(self.voting()).isTrue();
      assertThat(reasonOf(add)).isEqualTo(Reason.UNREACHABLE);
      assertThat(M1).isNotNull();
      return null;
    });
  }
}
