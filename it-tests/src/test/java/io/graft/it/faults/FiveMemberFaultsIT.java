package io.graft.it.faults;

import static io.graft.it.faults.ClusterWatch.acked;
import static io.graft.it.faults.ClusterWatch.events;
import static io.graft.it.faults.ClusterWatch.names;
import static io.graft.it.faults.ClusterWatch.others;
import static org.assertj.core.api.Assertions.assertThat;

import io.graft.cluster.ClusterLayout;
import io.graft.cluster.FaultProxy;
import io.graft.cluster.LocalCluster;
import io.graft.it.workload.SetWorkload;
import io.graft.it.workload.WorkloadResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.Values;

/**
 * Faults on ONE real 5-server graft cluster whose Raft links AND client Bolt links each go through
 * a {@link FaultProxy} (the members advertise the Bolt proxy's frontends, so graft's own routing
 * table hands them to {@code neo4j://} drivers). The set workload ({@link SetWorkload}: every
 * acknowledged insert present on every member, every definitely failed insert absent, nothing
 * never attempted, no reader sees a value vanish) writes through a {@code neo4j://} driver, so
 * graft's routing decides where writes go, never a test forwarder. Each fault is a step of a
 * {@link ScriptedNemesis} that waits (bounded) until its effect is seen, and the workload's
 * history is then checked against the script's instants (writes acknowledged after the leader
 * moved while the client was still cut from the old one, and so on).
 *
 * <ol>
 *   <li>Bolt-link partitions and 5-member faults: the client cut from the leader while the Raft
 *       links stay up (no election: the leader keeps its term), the leader then moved to a member
 *       the client reaches (writes resume through the routing table while the cut holds), the
 *       link healed; the client cut from a minority of two (writes go on), the leader moved INTO
 *       that minority (writes stall), the client's links healed (writes resume); then kill -9 of
 *       two members (the leader and a follower: 3 of 5 keep writing), both restarted, and a 2|3
 *       partition with the leader on the side of two (the three elect a leader and keep writing,
 *       the old leader steps down), healed. Equal {@code raft.digest()} on all five.</li>
 *   <li>A membership change during faults: a 6th, empty server is added with {@code
 *       raft.addMember} and the leader is killed -9 while the new member is still a learner being
 *       caught up (the operator re-issues the call on the new leader, as the error tells them);
 *       then member 5 is removed with {@code raft.removeMember} and the leader is cut off from
 *       every Raft link right after the call (re-issued on the new leader if the removal did not
 *       survive). Equal digests on the five final members, member 5 in nobody's configuration.
 *       </li>
 * </ol>
 *
 * <p><b>Not in the CI suite</b>: it runs only with {@code -Dfaults.five=true} (one 5-member
 * cluster plus a sixth server, about eight minutes on this loaded machine, over the CI budget).
 * Its first runs found writes through the {@code neo4j://} driver stalling for more than 45 s
 * after the driver's seed (member-1) was killed with the leader or cut off, although the others
 * elected a leader within a second. Two causes: (1) a member that knows no leader handed its
 * seeded drivers writer-less tables, and a driver asks its seed FIRST after a writer-less table,
 * so it never left that member (fixed in plugin/routing: such a member refuses drivers seeded
 * with itself, see {@code GraftRoutingTableProvider}); (2) the workload's sessions named no
 * database, and driver 5.28 resolves the home database through the seed ALONE whenever its table
 * is stale, so with the seed dead nothing could help (the workloads now name the database, see
 * {@code Clients.DATABASE}). The Bolt-partition steps (client cut from the leader, leader moved
 * while cut, client cut from a minority, leader moved into it) passed from the start.
 *
 * <p>Each workload runs at least {@code -Dfaults.seconds=8} and until its script is done. {@code -Dfaults.long=true} adds a 2|3 partition with the leader on the side of
 * three and a kill -9 of two followers. Replay the workload's choices with {@code
 * -Dfaults.seed=N}: {@code mvn -B -pl it-tests -am verify -Dtest=FiveMemberFaultsIT
 * -Dsurefire.failIfNoSpecifiedTests=false -Dfaults.five=true}.
 */
@EnabledIfSystemProperty(named = "faults.five", matches = "true",
    disabledReason = "long form (about eight minutes): -Dfaults.five=true (see the class comment)")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class FiveMemberFaultsIT {
  private static final Duration RUN = Duration.ofSeconds(Long.getLong("faults.seconds", 8));
  private static final long SEED = Long.getLong("faults.seed", System.nanoTime());
  private static final boolean LONG = Boolean.getBoolean("faults.long");
  /** Bound for an effect to show: an election or two on two loaded cores. */
  private static final Duration EFFECT = Duration.ofSeconds(45);
  private static final Duration CONVERGE = Duration.ofSeconds(120);
  private static final int MEMBERS = 5;
  /** The founder removed by the membership test. */
  private static final int REMOVED = 5;
  private static final List<Integer> ALL_FOUNDERS = List.of(1, 2, 3, 4, 5);
  private static LocalCluster cluster;
  private static ClusterWatch watch;

  @BeforeAll
  static void startCluster() {
    // A commit that cannot finish (a leader deposed under a writer) is reported after 10 s
    // instead of 30: the workload's writers move on sooner.
    cluster = LocalCluster.start(FaultClusters.options("five-faults", MEMBERS,
            Map.of("server.raft.commit_timeout", "10s"))
        .withFaultProxy(true)
        .withBoltProxy(true));
    watch = new ClusterWatch(cluster, EFFECT, FiveMemberFaultsIT::log);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void routedWritesFollowGraftsRoutingUnderBoltPartitionsKillsAndATwoThreeSplit()
      throws Exception {
    List<Integer> all = range(1, MEMBERS);
    ScriptedNemesis script = new ScriptedNemesis("bolt-and-raft", s -> healAll(all),
        FiveMemberFaultsIT::log);
    Faults f = new Faults(all);
    script
        .then("cut-client-from-leader", f::cutClientFromLeader)
        .then("move-leader-while-cut", f::moveLeaderWhileCut)
        .then("heal-client-link", f::healClientLink)
        .then("cut-client-from-minority", f::cutClientFromMinority)
        .then("move-leader-into-cut-minority", f::moveLeaderIntoCutMinority)
        .then("heal-client-links", f::healClientLinks)
        .then("kill-two", f::killLeaderAndFollower)
        .then("restart-two", f::restartKilled)
        .then("split-2-3-leader-in-two", s -> f.split(s, true))
        .then("heal-split", f::healSplit);
    if (LONG) {
      script
          .then("split-2-3-leader-in-three", s -> f.split(s, false))
          .then("heal-split-again", f::healSplit)
          .then("kill-two-followers", f::killTwoFollowers)
          .then("restart-followers", f::restartKilled);
    }
    WorkloadResult r = run(script, all);

    List<SetWorkload.Event> history = events(r);
    String context = r.summary() + "\nscript: " + script.schedule();
    assertThat(acked(history, script.at("leaderMoved"), script.at("heal-client-link:start")))
        .as("writes acknowledged through the routing table after the leader moved, while the "
            + "client was still cut from the old leader; " + context).isPositive();
    assertThat(acked(history, script.at("clientCutFromMinority"),
        script.at("move-leader-into-cut-minority:start")))
        .as("writes acknowledged while the client was cut from a minority; " + context)
        .isPositive();
    assertThat(acked(history, script.at("clientLinksHealed"), script.at("kill-two:start")))
        .as("writes acknowledged once the client reached the leader again; " + context)
        .isPositive();
    assertThat(acked(history, script.at("twoKilled"), script.at("restart-two:start")))
        .as("writes acknowledged by 3 of 5 members; " + context).isPositive();
    assertThat(acked(history, script.at("split"), script.at("heal-split:start")))
        .as("writes acknowledged by the side of three; " + context).isPositive();
    // The cut made inserts fail before COMMIT: those must be absent, which the set checks.
    assertThat((Integer) r.stats().get("definitelyFailed")).as(context).isPositive();
    assertThat(r.digests()).as(context).hasSize(MEMBERS);
  }

  @Test
  @Order(2)
  void membershipChangeDuringALeaderKillAndAnIsolatedLeader() throws Exception {
    int added = cluster.startNewServer(ClusterLayout::withFreeMember);
    List<Integer> finalMembers = range(1, MEMBERS);
    finalMembers.remove(Integer.valueOf(REMOVED));
    finalMembers.add(added);
    List<Integer> founders = range(1, MEMBERS);
    Membership m = new Membership(founders, added);
    ScriptedNemesis script = new ScriptedNemesis("membership", s -> healAll(m.current),
        FiveMemberFaultsIT::log);
    script
        .then("add-member-leader-killed", m::addWhileLeaderKilled)
        .then("restart-killed", m::restartKilled)
        .then("remove-member-leader-isolated", m::removeWhileLeaderIsolated)
        .then("rejoin-isolated", m::rejoinIsolated);
    WorkloadResult r = run(script, finalMembers);

    List<SetWorkload.Event> history = events(r);
    String context = r.summary() + "\nscript: " + script.schedule();
    assertThat(acked(history, script.at("newLeaderAfterKill"),
        script.at("restart-killed:start")))
        .as("writes acknowledged after the leader was killed mid-change; " + context)
        .isPositive();
    assertThat(acked(history, script.at("removed"), script.at("rejoin-isolated:start")))
        .as("writes acknowledged after the removal, the old leader still cut off; " + context)
        .isPositive();
    assertThat(r.digests()).as(context).hasSize(finalMembers.size());
    int leader = watch.leaderAmong(finalMembers);
    List<String> expected = new ArrayList<>();
    finalMembers.forEach(x -> expected.add(watch.id(x)));
    for (int x : finalMembers) {
      assertThat(watch.voters(x)).as("configuration on member-%d; %s", x, context)
          .containsExactlyInAnyOrderElementsOf(expected);
    }
    assertThat(watch.voters(leader)).doesNotContain(watch.id(REMOVED));
    // What the removed member itself reports (it may never hear of its removal, Raft §4.2.2):
    // recorded; it must not disturb the others, which the configuration above shows.
    Optional<Map<String, Object>> removed = cluster.probe().status(REMOVED);
    log("member-" + REMOVED + " after its removal: " + removed.orElse(Map.of()));
  }

  // ---------------------------------------------------------------- the run

  private static WorkloadResult run(ScriptedNemesis script, List<Integer> finalMembers)
      throws Exception {
    RoutedCluster target = new RoutedCluster(cluster, finalMembers, script, CONVERGE);
    log("seed=" + SEED + " script: " + script + " (replay: -Dfaults.seed=" + SEED + ")");
    WorkloadResult r = new SetWorkload(SetWorkload.Options.defaults()).run(target, RUN, SEED);
    String context = r.summary() + "\nscript: " + script.schedule() + "\nerrors clients saw: "
        + ClusterWatch.errorsSeen(r);
    log(context);
    assertThat(script.problems()).as("effects not seen; " + context).isEmpty();
    assertThat(script.finished()).as("every step ran; " + context).isTrue();
    assertThat(r.valid()).as(context).isTrue();
    assertThat(r.stats()).as(context).containsKey("writesAfterHeal");
    assertThat(new HashSet<>(r.digests().values())).as(context).hasSize(1);
    return r;
  }

  // ---------------------------------------------------------------- test 1's steps

  /** The faults of test 1; state carried from a step to the one that undoes it. */
  private static final class Faults {
    private final List<Integer> members;
    private int leader;
    private long term;
    private List<Integer> cut = List.of();
    private List<Integer> killed = List.of();
    private List<Integer> minority = List.of();
    private List<Integer> majority = List.of();
    private int majorityLeader;
    /** A byte counter's value when the fault took effect (what must not grow until undone). */
    private long bytesAtCut;

    Faults(List<Integer> members) {
      this.members = members;
    }

    String cutClientFromLeader(ScriptedNemesis s) {
      leader = watch.leaderAmong(members);
      term = watch.term(leader);
      cut = List.of(leader);
      cluster.boltProxy().isolate(leader);
      String seen = clientCutSeen(s, cut);
      s.mark("clientCutFromLeader");
      return "client cut from leader member-" + leader + " (term " + term + "): " + seen;
    }

    String moveLeaderWhileCut(ScriptedNemesis s) {
      String silent = clientSilentTowards(s, cut);
      Map<String, Object> row = cluster.probe().status(leader).orElse(Map.of());
      s.check("LEADER".equals(row.get("role")) && Long.valueOf(term).equals(row.get("term")),
          "a client cut caused a Raft election: member-" + leader + " was LEADER at term " + term
              + ", now " + row);
      int to = others(members, cut).get(0);
      watch.transferLeadership(leader, to, ALL_FOUNDERS);
      s.mark("leaderMoved");
      String writes = watch.awaitWrites(s, to);
      return silent + "; member-" + leader + " still LEADER at term " + term + " (Raft links up),"
          + " leadership moved to member-" + to + " while the client stayed cut; " + writes;
    }

    String healClientLink(ScriptedNemesis s) {
      cluster.boltProxy().rejoin(cut.get(0));
      return "client reaches member-" + cut.get(0) + " again";
    }

    String cutClientFromMinority(ScriptedNemesis s) {
      leader = watch.leaderAmong(members);
      cut = others(members, List.of(leader)).subList(0, 2);
      cut.forEach(m -> cluster.boltProxy().isolate(m));
      String seen = clientCutSeen(s, cut);
      s.mark("clientCutFromMinority");
      return "client cut from followers " + names(cut) + " (leader member-" + leader + "): "
          + seen + "; " + watch.awaitWrites(s, leader);
    }

    String moveLeaderIntoCutMinority(ScriptedNemesis s) {
      int to = cut.get(0);
      watch.transferLeadership(leader, to, ALL_FOUNDERS);
      s.mark("leaderMovedIntoCut");
      leader = to;
      return "leadership moved to member-" + to + ", which the client cannot reach; "
          + clientSilentTowards(s, cut);
    }

    String healClientLinks(ScriptedNemesis s) {
      cluster.boltProxy().healAll();
      s.mark("clientLinksHealed");
      return "client links healed; " + watch.awaitWrites(s, watch.leaderAmong(members));
    }

    String killLeaderAndFollower(ScriptedNemesis s) {
      leader = watch.leaderAmong(members);
      term = watch.term(leader);
      int follower = others(members, List.of(leader)).get(0);
      killed = List.of(leader, follower);
      killed.forEach(cluster::kill9);
      for (int m : killed) {
        s.check(!cluster.server(m).isAlive(), "member-" + m + " survived kill -9");
      }
      List<Integer> rest = others(members, killed);
      int next = watch.newLeader(s, rest, term);
      s.mark("twoKilled");
      return "kill -9 leader member-" + leader + " and follower member-" + follower
          + "; processes gone; new leader member-" + next + " among " + names(rest) + "; "
          + watch.awaitWrites(s, next);
    }

    String killTwoFollowers(ScriptedNemesis s) {
      leader = watch.leaderAmong(members);
      term = watch.term(leader);
      killed = others(members, List.of(leader)).subList(0, 2);
      killed.forEach(cluster::kill9);
      String writes = watch.awaitWrites(s, leader);
      Map<String, Object> row = cluster.probe().status(leader).orElse(Map.of());
      s.check("LEADER".equals(row.get("role")), "member-" + leader + " lost leadership when two"
          + " followers died: " + row);
      return "kill -9 followers " + names(killed) + "; member-" + leader + " still leads: "
          + writes;
    }

    String restartKilled(ScriptedNemesis s) {
      restartInParallel(killed);
      String done = "restarted " + names(killed);
      killed = List.of();
      return done + "; leader member-" + watch.leaderAmong(members);
    }

    /** A 2|3 split of the Raft links; {@code leaderInTwo}: the leader on the side of two. */
    String split(ScriptedNemesis s, boolean leaderInTwo) {
      leader = watch.leaderAmong(members);
      term = watch.term(leader);
      List<Integer> followers = others(members, List.of(leader));
      if (leaderInTwo) {
        minority = List.of(leader, followers.get(0));
      } else {
        minority = followers.subList(0, 2);
      }
      majority = others(members, minority);
      for (int a : minority) {
        for (int b : majority) {
          cluster.proxy().cut(a, b);
        }
      }
      String links = raftLinksCutSeen(s);
      String outcome;
      int writer;
      if (leaderInTwo) {
        writer = watch.newLeader(s, majority, term);
        watch.awaitStepDown(s, leader);
        outcome = "the side of three elected member-" + writer + "; member-" + leader
            + " stepped down";
      } else {
        writer = leader;
        outcome = "member-" + leader + " kept leading the side of three";
      }
      majorityLeader = writer;
      s.mark("split");
      return "Raft links cut between " + names(minority) + " and " + names(majority) + ": "
          + links + "; " + outcome + "; " + watch.awaitWrites(s, writer);
    }

    String healSplit(ScriptedNemesis s) {
      String silent = raftLinksSilent(s);
      cluster.proxy().healAll();
      int now = watch.leaderAmong(members);
      return silent + "; healed, leader member-" + now + " at term " + watch.term(now);
    }

    private String raftLinksCutSeen(ScriptedNemesis s) {
      List<FaultProxy.Link> open = FaultClusters.poll(EFFECT, Duration.ofMillis(50),
          this::openAcross, List::isEmpty).last();
      s.check(open.isEmpty(), "Raft connections still open across the split: " + open);
      bytesAtCut = settled(this::bytesAcross);
      return "no Raft connection open across it";
    }

    /** Bytes across the split stood still while a link inside the majority carried traffic. */
    private String raftLinksSilent(ScriptedNemesis s) {
      int follower = others(majority, List.of(majorityLeader)).get(0);
      long inside = raftBytes(majorityLeader, follower);
      FaultClusters.poll(EFFECT, Duration.ofMillis(100),
          () -> raftBytes(majorityLeader, follower), now -> now > inside);
      long across = bytesAcross() - bytesAtCut;
      s.check(raftBytes(majorityLeader, follower) > inside, "no traffic between member-"
          + majorityLeader + " and member-" + follower + ": the byte counters prove nothing");
      s.check(across == 0, across + " bytes crossed the split");
      return "0 bytes crossed the split while the majority's links carried traffic";
    }

    private List<FaultProxy.Link> openAcross() {
      List<FaultProxy.Link> open = new ArrayList<>();
      for (FaultProxy.Link link : cluster.proxy().openLinks()) {
        boolean across = (minority.contains(link.from()) && majority.contains(link.to()))
            || (majority.contains(link.from()) && minority.contains(link.to()))
            || link.from() == 0;
        if (across) {
          open.add(link);
        }
      }
      return open;
    }

    private long bytesAcross() {
      long sum = 0;
      for (int a : minority) {
        for (int b : majority) {
          sum += cluster.proxy().bytesForwarded(a, b) + cluster.proxy().bytesForwarded(b, a);
        }
      }
      return sum;
    }

    private static long raftBytes(int a, int b) {
      return cluster.proxy().bytesForwarded(a, b) + cluster.proxy().bytesForwarded(b, a);
    }

    /** No client connection open to the cut members (bounded wait: a racing accept closes). */
    private String clientCutSeen(ScriptedNemesis s, List<Integer> members) {
      List<FaultProxy.Link> open = FaultClusters.poll(EFFECT, Duration.ofMillis(50),
          () -> openClientLinks(members), List::isEmpty).last();
      s.check(open.isEmpty(), "client connections still open to " + names(members) + ": "
          + open);
      bytesAtCut = settled(() -> clientBytes(members));
      return "no client connection open to " + names(members);
    }

    /**
     * The client's byte counters towards the cut members stood still since the cut, while its
     * links to the others carried traffic (the driver kept asking them for routing tables).
     */
    private String clientSilentTowards(ScriptedNemesis s, List<Integer> members) {
      List<Integer> reachable = others(this.members, members);
      long before = clientBytes(reachable);
      FaultClusters.poll(EFFECT, Duration.ofMillis(100), () -> clientBytes(reachable),
          now -> now > before);
      long flowed = clientBytes(reachable) - before;
      long leaked = clientBytes(members) - bytesAtCut;
      s.check(flowed > 0, "the client sent nothing to " + names(reachable)
          + ": the counters prove nothing");
      s.check(leaked == 0, leaked + " bytes crossed the client's cut links to " + names(members));
      return "0 client bytes to " + names(members) + " while " + flowed + " flowed to "
          + names(reachable);
    }

    /**
     * A byte counter once it stopped moving (bounded): a pump thread of a connection the cut just
     * closed may still be adding the bytes of its last chunk.
     */
    private static long settled(java.util.function.LongSupplier counter) {
      return FaultClusters.settled(Duration.ofSeconds(5), Duration.ofMillis(100),
          counter::getAsLong);
    }

    private static List<FaultProxy.Link> openClientLinks(List<Integer> members) {
      List<FaultProxy.Link> open = new ArrayList<>();
      for (FaultProxy.Link link : cluster.boltProxy().openLinks()) {
        if (members.contains(link.to())) {
          open.add(link);
        }
      }
      return open;
    }

    private static long clientBytes(List<Integer> members) {
      long sum = 0;
      for (int m : members) {
        sum += cluster.boltProxy().bytesForwarded(LocalCluster.BOLT_CLIENT, m);
      }
      return sum;
    }
  }

  // ---------------------------------------------------------------- test 2's steps

  /** The membership change of test 2 and the faults around it. */
  private static final class Membership {
    /** The members whose state matters now (the heal restarts these). */
    volatile List<Integer> current;
    private final int added;
    private int killed;
    private int isolated;

    Membership(List<Integer> founders, int added) {
      this.current = new ArrayList<>(founders);
      this.added = added;
    }

    /**
     * The new server's Raft links are cut while it is added, so the change cannot finish before
     * the leader dies (an empty member catches up in a moment otherwise): the kill lands while
     * the new member is a learner, every time.
     */
    String addWhileLeaderKilled(ScriptedNemesis s) throws Exception {
      int leader = watch.leaderAmong(current);
      long term = watch.term(leader);
      cluster.proxy().isolate(added);
      String id = watch.id(added);
      CompletableFuture<String> call = callAsync(leader, "CALL raft.addMember($m)", id);
      awaitLearner(s, leader, id);
      cluster.kill9(leader);
      killed = leader;
      s.check(!cluster.server(leader).isAlive(), "member-" + leader + " survived kill -9");
      List<Integer> rest = others(current, List.of(leader));
      int next = watch.newLeader(s, rest, term);
      s.mark("newLeaderAfterKill");
      String first = outcome(call);
      cluster.proxy().rejoin(added);
      // As the error says: re-issue the call where the new leader is (a learner the old leader
      // left behind is caught up and promoted; a promotion that already committed is reported).
      String retried = untilDone(() -> watch.callOn(next, "CALL raft.addMember($m)", id),
          "already a voting member");
      s.check(watch.voters(next).contains(id), "member-" + added + " is not a voter on the new"
          + " leader member-" + next + ": " + watch.voters(next));
      List<Integer> grown = new ArrayList<>(current);
      grown.add(added);
      current = grown;
      s.mark("addedVoter");
      return "raft.addMember(" + id + ") on member-" + leader + " with member-" + added
          + "'s Raft links cut, killed -9 while member-" + added + " was a learner; the call"
          + " ended: " + first + "; new leader member-" + next
          + "; re-issued: " + retried + "; " + watch.awaitWrites(s, next);
    }

    String restartKilled(ScriptedNemesis s) {
      cluster.restart(killed);
      return "restarted member-" + killed + "; leader member-" + watch.leaderAmong(current);
    }

    String removeWhileLeaderIsolated(ScriptedNemesis s) throws Exception {
      int leader = watch.leaderAmong(current);
      String moved = "";
      if (leader == REMOVED) {
        int to = others(current, List.of(REMOVED)).get(0);
        watch.transferLeadership(leader, to, ALL_FOUNDERS);
        moved = "leadership moved off member-" + REMOVED + " to member-" + to + " first; ";
        leader = to;
      }
      long term = watch.term(leader);
      String id = watch.id(REMOVED);
      CompletableFuture<String> call = callAsync(leader, "CALL raft.removeMember($m)", id);
      cluster.proxy().isolate(leader);
      isolated = leader;
      List<Integer> rest = others(current, List.of(leader));
      int next = watch.newLeader(s, rest, term);
      watch.awaitStepDown(s, leader);
      String first = outcome(call);
      String retried = watch.voters(next).contains(id)
          ? untilDone(() -> watch.callOn(next, "CALL raft.removeMember($m)", id),
              "is not a member of this cluster")
          : "not needed (the removal had reached the new leader)";
      List<Integer> shrunk = new ArrayList<>(current);
      shrunk.remove(Integer.valueOf(REMOVED));
      current = shrunk;
      s.check(!watch.voters(next).contains(id), "member-" + REMOVED + " still a voter on member-"
          + next + ": " + watch.voters(next));
      s.mark("removed");
      return moved + "raft.removeMember(" + id + ") on member-" + leader + ", cut off"
          + " from every Raft link right after the call; the call ended: " + first
          + "; new leader member-" + next + "; re-issued: " + retried + "; "
          + watch.awaitWrites(s, next);
    }

    String rejoinIsolated(ScriptedNemesis s) {
      cluster.proxy().rejoin(isolated);
      int leader = watch.leaderAmong(current);
      return "member-" + isolated + " rejoined; leader member-" + leader;
    }

    private void awaitLearner(ScriptedNemesis s, int leader, String member) {
      FaultClusters.Polled<Optional<Boolean>> seen = FaultClusters.poll(EFFECT,
          Duration.ofMillis(20), () -> {
            try (Session session = cluster.probe().session(leader)) {
              for (Record row : session.run("CALL raft.members()").list()) {
                if (member.equals(row.get("memberId").asString())) {
                  return Optional.of(row.get("voting").asBoolean());
                }
              }
            } catch (RuntimeException e) {
              // not answering right now; keep asking until the deadline
            }
            return Optional.<Boolean>empty();
          }, Optional::isPresent);
      if (!seen.held()) {
        s.problem(member + " never showed up as a learner on member-" + leader);
      } else {
        s.check(!seen.last().get(), member + " was already a voter when the leader was killed:"
            + " the kill came after the change, not during it");
      }
    }
  }

  // ---------------------------------------------------------------- shared

  private static String healAll(List<Integer> members) {
    cluster.boltProxy().healAll();
    cluster.proxy().healAll();
    List<Integer> dead = new ArrayList<>();
    for (int m : members) {
      if (cluster.server(m).isAlive() && cluster.server(m).isPaused()) {
        cluster.resume(m);
      } else if (!cluster.server(m).isAlive()) {
        dead.add(m);
      }
    }
    restartInParallel(dead);
    int leader = watch.leaderAmong(members);
    return "every link healed" + (dead.isEmpty() ? "" : ", restarted " + names(dead))
        + "; leader member-" + leader;
  }

  private static void restartInParallel(List<Integer> members) {
    List<CompletableFuture<Void>> restarts = new ArrayList<>();
    for (int m : members) {
      restarts.add(CompletableFuture.runAsync(() -> cluster.restart(m)));
    }
    CompletableFuture.allOf(restarts.toArray(new CompletableFuture[0])).join();
  }

  private static CompletableFuture<String> callAsync(int member, String cypher, String arg) {
    return CompletableFuture.supplyAsync(() -> watch.callOn(member, cypher, arg));
  }

  /** How an interrupted procedure call ended (bounded wait: the server may be gone). */
  private static String outcome(CompletableFuture<String> call) {
    try {
      return call.get(EFFECT.toSeconds(), TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return "failed: " + e.getCause().getMessage();
    } catch (java.util.concurrent.TimeoutException e) {
      return "no answer within " + EFFECT.toSeconds() + " s";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /**
   * Calls until it succeeds or fails saying {@code done} (the change already happened); other
   * refusals (a change still in progress, no leader yet) are retried, bounded.
   */
  private static String untilDone(java.util.function.Supplier<String> call, String done) {
    List<String> refusals = new ArrayList<>();
    FaultClusters.Polled<String> seen = FaultClusters.poll(CONVERGE, Duration.ofMillis(500),
        () -> {
          try {
            return call.get();
          } catch (RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains(done)) {
              return "refused as done (" + message + ")";
            }
            refusals.add(message);
            return null;
          }
        }, java.util.Objects::nonNull);
    if (!seen.held()) {
      throw new AssertionError("the call never went through: " + refusals);
    }
    return seen.last() + (refusals.isEmpty() ? "" : " after " + refusals);
  }

  private static List<Integer> range(int from, int to) {
    List<Integer> out = new ArrayList<>();
    for (int m = from; m <= to; m++) {
      out.add(m);
    }
    return out;
  }

  private static void log(String line) {
    System.out.println("[five-faults] " + line);
  }
}
