package io.graft.raft.sim;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.NotLeaderException;
import io.graft.raft.api.ProposalRejectedException;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.api.Role;
import io.graft.raft.message.Envelope;
import io.graft.raft.message.LogEntry;
import io.graft.raft.protocol.RaftConfig;
import io.graft.raft.protocol.RaftMachine;
import io.graft.raft.protocol.membership.Configuration;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.runtime.ReadyDriver;
import io.graft.raft.transport.Transport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Bounded breadth-first model check of a 3-member cluster (docs/TESTING.md Tier 2): from a fresh
 * cluster, every sequence of up to {@code depth} actions (a tick on any member, the delivery of any
 * in-flight message in any order, a client proposal to a leader) is executed and the {@link
 * SafetyChecker} runs after every action.
 *
 * <p>The machine cannot be cloned, so a state is reached by replaying its action path from scratch
 * (everything is deterministic). States are deduplicated by a fingerprint of what is observable:
 * per member role, term, vote, commit, log prefix hash and ticks received, plus the multiset of
 * in-flight messages. Internal counters outside that fingerprint can make two different states look
 * equal, so the dedup may prune some interleavings: a violation found is real, coverage is "every
 * distinct observable state", not every path.
 */
final class Explorer {
  /** Small timeouts so elections happen within a few actions; PreVote/CheckQuorum off for depth. */
  static final RaftConfig CONFIG = new RaftConfig(2, 1, 2, 1 << 20, 2, 1 << 20, false, false);

  private static final int MEMBERS = 3;
  private static final int PROPOSALS_MAX = 2;

  /** Outcome: states executed, distinct fingerprints, depth, and how far the cluster got. */
  record Stats(long executed, long distinct, int depth, long leaderStates, long committedMax) {}

  private final int depth;

  Explorer(int depth) {
    this.depth = depth;
  }

  Stats run() {
    Set<Long> seen = new HashSet<>();
    List<int[]> frontier = new ArrayList<>();
    frontier.add(new int[0]);
    seen.add(new World().replay(new int[0]));
    long executed = 1;
    long leaderStates = 0;
    long committedMax = 0;
    for (int level = 0; level < depth; level++) {
      List<int[]> next = new ArrayList<>();
      for (int[] path : frontier) {
        World world = new World();
        world.replay(path);
        int actions = world.actionCount();
        for (int action = 0; action < actions; action++) {
          int[] child = Arrays.copyOf(path, path.length + 1);
          child[path.length] = action;
          World reached = new World();
          long fingerprint = reached.replay(child);
          executed++;
          if (seen.add(fingerprint)) {
            next.add(child);
            leaderStates += reached.hasLeader() ? 1 : 0;
            committedMax = Math.max(committedMax, reached.checker.committedCount());
          }
        }
      }
      frontier = next;
    }
    return new Stats(executed, seen.size(), depth, leaderStates, committedMax);
  }

  /** One replayable cluster: members, in-flight messages (a multiset), a checker. */
  private static final class World {
    private final List<SimMember> members = new ArrayList<>();
    private final Set<MemberId> voters = new LinkedHashSet<>();
    private final List<Envelope> inFlight = new ArrayList<>();
    private final SafetyChecker checker = new SafetyChecker(MEMBERS);
    private final int[] ticks = new int[MEMBERS];
    private int proposals;

    World() {
      for (int i = 0; i < MEMBERS; i++) {
        members.add(new SimMember(i, MemberId.of("m" + i)));
        voters.add(MemberId.of("m" + i));
      }
      checker.fixedVoters(MEMBERS);
      for (SimMember m : members) {
        m.initialConfiguration = Configuration.ofVoters(voters);
        m.foundingConfiguration = m.initialConfiguration;
        m.meta.onSave(state -> checker.onDurableHardState(m, state));
        m.machine =
            new RaftMachine(
                CONFIG, m.id(), voters, m.store, m.meta.load(), new SplittableRandom(m.index()),
                    RaftLogging.slf4j());
        m.driver = driver(m);
        drain(m);
      }
    }

    /** Executes the path; returns the fingerprint of the state reached. */
    long replay(int[] path) {
      for (int step = 0; step < path.length; step++) {
        try {
          act(path[step]);
          checker.afterEvent(members);
        } catch (RuntimeException | AssertionError e) {
          throw new AssertionError(
              "explorer: violation after path "
                  + Arrays.toString(Arrays.copyOf(path, step + 1))
                  + ": "
                  + e
                  + "\n  "
                  + members,
              e);
        }
      }
      return fingerprint();
    }

    boolean hasLeader() {
      for (SimMember m : members) {
        if (m.role() == Role.LEADER) {
          return true;
        }
      }
      return false;
    }

    /** Ticks on each member, one proposal, then one delivery per distinct in-flight message. */
    int actionCount() {
      return MEMBERS + 1 + distinctInFlight().size();
    }

    private void act(int action) {
      if (action < MEMBERS) {
        SimMember m = members.get(action);
        ticks[action]++;
        m.machine.tick();
        drain(m);
      } else if (action == MEMBERS) {
        propose();
      } else {
        Envelope e = distinctInFlight().get(action - MEMBERS - 1);
        inFlight.remove(e);
        SimMember to = members.get(Integer.parseInt(e.to().value().substring(1)));
        to.machine.step(e.message());
        drain(to);
      }
    }

    private void propose() {
      if (proposals >= PROPOSALS_MAX) {
        return;
      }
      for (SimMember m : members) {
        if (m.role() == Role.LEADER) {
          try {
            m.machine.propose(List.of(new byte[] {(byte) ++proposals}));
          } catch (NotLeaderException | ProposalRejectedException e) {
            return;
          }
          drain(m);
          return;
        }
      }
    }

    /** In-flight messages with duplicates removed (delivering either copy is the same action). */
    private List<Envelope> distinctInFlight() {
      List<Envelope> distinct = new ArrayList<>();
      Set<Long> digests = new HashSet<>();
      for (Envelope e : inFlight) {
        if (digests.add(digest(e))) {
          distinct.add(e);
        }
      }
      return distinct;
    }

    /** The production runtime's Ready handling with an instant, reliable disk. */
    private void drain(SimMember m) {
      m.driver.process();
    }

    private ReadyDriver driver(SimMember m) {
      Transport transport =
          new Transport() {
            @Override
            public void start(Consumer<RaftMessage> inbound) {}

            @Override
            public void setPeers(Map<MemberId, String> addresses) {}

            @Override
            public void send(MemberId to, RaftMessage message) {
              inFlight.add(new Envelope(to, message));
            }

            @Override
            public void close() {}
          };
      return new ReadyDriver(
          m.machine,
          m.store,
          m.meta,
          transport,
          entries -> {
            for (LogEntry e : entries) {
              checker.onApply(m, e);
              m.stateMachine.apply(e);
            }
          },
          ready -> {},
          Runnable::run,
          () -> 0L,
          point -> {},
          null,
          RaftLogging.slf4j());
    }

    private long fingerprint() {
      long h = proposals;
      for (SimMember m : members) {
        MemberId vote = m.meta.load().votedFor();
        h = Hashing.combine(h, m.role().ordinal());
        h = Hashing.combine(h, m.term());
        h = Hashing.combine(h, vote == null ? -1 : Hashing.string(vote.value()));
        h = Hashing.combine(h, m.commitIndex());
        h = Hashing.combine(h, m.store.prefixHash(m.store.lastIndex()));
        h = Hashing.combine(h, ticks[m.index()]);
      }
      long messages = 0;
      for (Envelope e : inFlight) {
        messages += Hashing.mix(digest(e));
      }
      return Hashing.combine(h, messages);
    }

    private static long digest(Envelope e) {
      return Hashing.combine(Hashing.string(e.to().value()), MessageDigest.of(e.message()));
    }
  }
}
