package io.graft.raft.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Membership;
import io.graft.raft.api.MembershipChangeException;
import io.graft.raft.api.NotLeaderException;
import io.graft.raft.api.ProposalRejectedException;
import io.graft.raft.api.Role;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.LogEntry;
import io.graft.raft.protocol.membership.ChangeOutcome;
import io.graft.raft.storage.memory.InMemoryLogStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * forceNewCluster under seeded random histories (3 or 5 founders, PreVote and CheckQuorum):
 * random proposals, message loss and partitions; then a random majority is lost for good and the
 * survivor with the longest log forces a new cluster as soon as it is allowed. Checked every run:
 * the survivor never loses an entry of its log (nothing is truncated: every entry a lost majority
 * might have committed and this member holds survives), everything it held commits and is applied
 * in order; the old members, back on their old state and kept apart by the epoch rule of the
 * transport (modelled by the network), never change the re-formed cluster (its epoch, its
 * voters, its committed entries); two new members added with addMember end with logs and applied
 * entries identical to the survivor's. Replay: {@code -Dforce.seed=N}.
 */
class ForceNewClusterRandomizedTest {
  private static final long SEEDS = Long.getLong("force.seeds", 100);
  private static final Long ONE = Long.getLong("force.seed");
  private static final long EPOCH = 0xF0_2CEDL;

  @Test
  void survivorsKeepTheirLogAndOldMembersNeverChangeTheReformedCluster() {
    long from = ONE != null ? ONE : 0;
    long to = ONE != null ? ONE + 1 : SEEDS;
    int forced = 0;
    for (long seed = from; seed < to; seed++) {
      try {
        forced += run(seed) ? 1 : 0;
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("seed " + seed + " failed; replay with -Dtest="
            + getClass().getSimpleName() + " -Dforce.seed=" + seed + ": " + e, e);
      }
    }
    assertThat(forced).as("runs that forced a new cluster").isEqualTo((int) (to - from));
  }

  private static boolean run(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int size = random.nextBoolean() ? 3 : 5;
    RaftConfig config = Fixtures.withPreVoteAndCheckQuorum();
    Network net = new Network();
    Set<MemberId> voters = Fixtures.ids(size);
    for (MemberId id : voters) {
      net.add(new Node(id, config, voters, new InMemoryLogStore(), HardState.EMPTY,
          seed * 31 + id.hashCode()));
    }
    // Phase 1: a cluster that works, with losses and partitions.
    for (int step = 0; step < 300; step++) {
      if (random.nextInt(10) == 0) {
        net.heal();
        if (random.nextBoolean()) {
          net.isolate(Fixtures.id(1 + random.nextInt(size)));
        }
        double loss = random.nextDouble() * 0.2;
        net.dropWhen(e -> random.nextDouble() < loss);
      }
      proposeSomewhere(net, random);
      net.tickAll(1);
    }
    // Phase 2: a majority is lost for good; the longest log among the rest survives.
    List<MemberId> all = new ArrayList<>(voters);
    java.util.Collections.shuffle(all, new java.util.Random(seed));
    int lost = size / 2 + 1;
    List<MemberId> gone = all.subList(0, lost);
    List<MemberId> rest = all.subList(lost, size);
    net.heal();
    gone.forEach(net::isolate);
    MemberId survivorId = rest.stream()
        .max((a, b) -> Long.compare(net.machine(a).lastIndex(), net.machine(b).lastIndex()))
        .orElseThrow();
    Node survivor = net.node(survivorId);
    ForcedConfiguration f = null;
    for (int t = 0; t < 50 * Fixtures.ELECTION && f == null; t++) {
      net.tickAll(1);
      try {
        f = survivor.machine.forceNewCluster(EPOCH);
      } catch (MembershipChangeException e) {
        // not yet: a leader or a majority may still be around (the other survivors, 5 members)
      }
    }
    assertThat(f).as("forceNewCluster allowed once the majority stayed silent").isNotNull();
    List<String> before = describe(survivor.store, 1, f.lastIndex());
    net.deliverAll();
    assertThat(survivor.machine.role()).isEqualTo(Role.LEADER);
    assertThat(survivor.machine.commitIndex()).isGreaterThanOrEqualTo(f.configIndex() + 1);
    assertThat(describe(survivor.store, 1, f.lastIndex())).as("nothing truncated")
        .isEqualTo(before);
    checkAppliedInOrder(survivor);

    // Phase 3: everyone else comes back on old state; epochs keep them apart; two new members.
    Set<MemberId> oldMembers = new HashSet<>(voters);
    oldMembers.remove(survivorId);
    net.heal();
    net.dropWhen(e -> conflicting(net, oldMembers, survivorId, e.message().from(), e.to()));
    Set<MemberId> fresh = new LinkedHashSet<>();
    for (int i = 1; i <= 2; i++) {
      MemberId id = Fixtures.id(size + i);
      fresh.add(id);
      net.add(new Node(id, config, Set.of(), new InMemoryLogStore(), HardState.EMPTY, seed + i));
    }
    for (MemberId id : fresh) {
      survivor.machine.addMember(id.hashCode(), id);
      boolean done = false;
      for (int t = 0; t < 40 * Fixtures.ELECTION && !done; t++) {
        proposeOn(survivor.machine, random);
        net.tickAll(1);
        for (ChangeOutcome o : survivor.machine.takeChangeOutcomes()) {
          assertThat(o.error()).as("add %s", id).isNull();
          done = true;
        }
      }
      assertThat(done).as("add %s finished", id).isTrue();
    }
    long committed = survivor.machine.commitIndex();
    for (int t = 0; t < 20 * Fixtures.ELECTION; t++) {
      proposeOn(survivor.machine, random);
      net.tickAll(1);
      Membership m = survivor.machine.membership();
      assertThat(m.epoch()).isEqualTo(EPOCH);
      assertThat(oldMembers).doesNotContainAnyElementsOf(m.voters());
      assertThat(survivor.machine.commitIndex()).isGreaterThanOrEqualTo(committed);
    }
    assertThat(survivor.machine.role()).isEqualTo(Role.LEADER);
    net.heal();
    net.dropWhen(e -> conflicting(net, oldMembers, survivorId, e.message().from(), e.to()));
    net.tickAll(4 * Fixtures.ELECTION); // no proposals: everyone catches up
    long last = survivor.machine.commitIndex();
    for (MemberId id : fresh) {
      Node n = net.node(id);
      assertThat(n.machine.commitIndex()).as("%s caught up", id).isEqualTo(last);
      assertThat(describe(n.store, 1, last)).as("%s's log", id)
          .isEqualTo(describe(survivor.store, 1, last));
    }
    return true;
  }

  /** The transport's epoch rule: old members (founding epoch) and the re-formed cluster. */
  private static boolean conflicting(Network net, Set<MemberId> oldMembers, MemberId survivor,
      MemberId from, MemberId to) {
    long a = bound(net, oldMembers, survivor, from);
    long b = bound(net, oldMembers, survivor, to);
    return a != Membership.NO_EPOCH && b != Membership.NO_EPOCH && a != b;
  }

  private static long bound(Network net, Set<MemberId> oldMembers, MemberId survivor,
      MemberId id) {
    if (id.equals(survivor)) {
      return EPOCH;
    }
    if (oldMembers.contains(id)) {
      return Membership.FOUNDING_EPOCH;
    }
    return net.machine(id).lastIndex() > 0 ? EPOCH : Membership.NO_EPOCH;
  }

  private static void proposeSomewhere(Network net, SplittableRandom random) {
    if (random.nextInt(3) != 0) {
      return;
    }
    for (Node n : net.nodes.values()) {
      if (n.machine.role() == Role.LEADER) {
        proposeOn(n.machine, random);
        return;
      }
    }
  }

  private static void proposeOn(RaftMachine m, SplittableRandom random) {
    if (random.nextInt(2) != 0) {
      return;
    }
    try {
      byte[] payload = new byte[1 + random.nextInt(16)];
      random.nextBytes(payload);
      m.propose(List.of(payload));
    } catch (NotLeaderException | ProposalRejectedException e) {
      // a leadership change or back-pressure: the next step tries again
    }
  }

  /** The member applied 1..n densely, each entry exactly once, in log order. */
  private static void checkAppliedInOrder(Node n) {
    long expected = n.applied.isEmpty() ? 0 : n.applied.get(0).index();
    for (LogEntry e : n.applied) {
      assertThat(e.index()).isEqualTo(expected);
      expected++;
    }
  }

  private static List<String> describe(InMemoryLogStore store, long from, long to) {
    List<String> out = new ArrayList<>();
    for (long i = Math.max(from, store.firstIndex()); i <= to; i++) {
      LogEntry e = store.entries(i, i + 1, Long.MAX_VALUE).get(0);
      out.add(e.index() + "/" + e.term() + "/" + e.type() + "/"
          + (e.type() == EntryType.APPLICATION ? java.util.Arrays.hashCode(e.payload()) : 0));
    }
    return out;
  }
}
