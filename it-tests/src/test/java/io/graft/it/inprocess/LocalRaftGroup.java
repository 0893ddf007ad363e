package io.graft.it.inprocess;

import io.graft.raft.api.CommitResult;
import io.graft.raft.api.CommittedEntry;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.Membership;
import io.graft.raft.api.NotLeaderException;
import io.graft.raft.api.RaftListener;
import io.graft.raft.api.RaftNode;
import io.graft.raft.api.RaftShutdownException;
import io.graft.raft.api.RaftStatus;
import io.graft.raft.api.Role;
import io.graft.raft.api.StateMachine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A test double of a Raft group: N members sharing ONE ordered log that outlives the members (it
 * plays the durable Raft logs), so members can stop and restart. An entry commits as soon as it is
 * appended unless commits are held. Every member has its own REAL apply thread that hands committed
 * entries to its state machine in log order, from {@code lastAppliedIndex()+1}, so ordering and
 * concurrency bugs between apply and commit show. Leadership is explicit ({@link #electLeader}),
 * including a stale leader that keeps believing it leads (a partitioned old leader).
 *
 * <p>Groups are found by cluster id through a test-scope registry: the plugin itself holds no
 * static state; it reaches this class through the {@code RaftNodeFactory} service.
 */
public final class LocalRaftGroup {
  private static final Map<String, LocalRaftGroup> GROUPS = new ConcurrentHashMap<>();

  private final List<MemberId> members;
  private final List<Entry> log = new ArrayList<>();
  private final Map<MemberId, Node> running = new HashMap<>();
  private final Set<MemberId> staleLeaders = new HashSet<>();
  private final Set<MemberId> pausedApply = new HashSet<>();
  private final Set<MemberId> corruptNextApply = new HashSet<>();
  private long term;
  private MemberId leader;
  private long commitIndex;
  private boolean holdCommits;

  private record Entry(long term, byte[] payload, MemberId proposer, CompletableFuture<CommitResult> future) {}

  private LocalRaftGroup(List<MemberId> members) {
    this.members = List.copyOf(members);
  }

  static LocalRaftGroup forCluster(String clusterId, List<MemberId> members) {
    return GROUPS.computeIfAbsent(clusterId, id -> new LocalRaftGroup(members));
  }

  public static LocalRaftGroup get(String clusterId) {
    LocalRaftGroup g = GROUPS.get(clusterId);
    if (g == null) {
      throw new IllegalStateException("no local Raft group " + clusterId);
    }
    return g;
  }

  public static void remove(String clusterId) {
    GROUPS.remove(clusterId);
  }

  // ----- test controls -----

  /** A new term in which {@code member} leads; every running member is told (Raft §5.2). */
  public void electLeader(MemberId member) {
    electLeader(member, null);
  }

  /**
   * Like {@link #electLeader(MemberId)}, but {@code staleLeader} is not told: it keeps acting as
   * leader of the old term, as a partitioned old leader does until it hears the new term.
   */
  public void electLeader(MemberId member, MemberId staleLeader) {
    List<Node> toNotify;
    synchronized (this) {
      term++;
      leader = member;
      staleLeaders.clear();
      if (staleLeader != null) {
        staleLeaders.add(staleLeader);
      }
      toNotify = new ArrayList<>(running.values());
    }
    for (Node n : toNotify) {
      if (!n.self.equals(staleLeader)) {
        n.notifyListeners();
      }
    }
  }

  public synchronized void holdCommits(boolean hold) {
    holdCommits = hold;
    if (!hold) {
      commitIndex = log.size();
    }
    notifyAll();
  }

  public synchronized void pauseApply(MemberId member, boolean pause) {
    if (pause) {
      pausedApply.add(member);
    } else {
      pausedApply.remove(member);
    }
    notifyAll();
  }

  /** The next entry this member applies reaches its state machine corrupted (an apply fault). */
  public synchronized void corruptNextApply(MemberId member) {
    corruptNextApply.add(member);
  }

  public synchronized long lastLogIndex() {
    return log.size();
  }

  public synchronized long commitIndex() {
    return commitIndex;
  }

  public synchronized long appliedIndex(MemberId member) {
    Node n = running.get(member);
    return n == null ? -1 : n.applied;
  }

  public synchronized boolean applyFailed(MemberId member) {
    Node n = running.get(member);
    return n != null && n.failure != null;
  }

  // ----- node side -----

  synchronized Node join(MemberId self, StateMachine machine) {
    if (!members.contains(self)) {
      throw new IllegalArgumentException(self + " is not a member of " + members);
    }
    if (running.containsKey(self)) {
      throw new IllegalStateException(self + " is already running");
    }
    Node node = new Node(self, machine);
    running.put(self, node);
    System.out.println("local-raft: " + self + " joins at applied index " + node.applied
        + ", commit index " + commitIndex);
    node.start();
    return node;
  }

  private synchronized CompletableFuture<CommitResult> propose(Node from, byte[] payload) {
    CompletableFuture<CommitResult> f = new CompletableFuture<>();
    if (!from.self.equals(leader) && !staleLeaders.contains(from.self)) {
      f.completeExceptionally(new NotLeaderException(from.self, leader));
      return f;
    }
    log.add(new Entry(term, payload.clone(), from.self, f));
    if (!holdCommits) {
      commitIndex = log.size();
    }
    notifyAll();
    return f;
  }

  private synchronized RaftStatus status(Node node) {
    List<RaftStatus.MemberStatus> rows = new ArrayList<>();
    for (MemberId m : members) {
      Node n = running.get(m);
      rows.add(new RaftStatus.MemberStatus(m, roleOf(m), true, n == null ? -1 : n.applied, n == null ? -1 : 0));
    }
    return new RaftStatus(node.self, roleOf(node.self), term, staleLeaders.contains(node.self) ? node.self : leader,
        commitIndex, node.applied, log.size(), rows);
  }

  private Role roleOf(MemberId m) {
    return m.equals(leader) || staleLeaders.contains(m) ? Role.LEADER : Role.FOLLOWER;
  }

  /** Blocks until the node may apply its next entry; null when it is closed. */
  private synchronized Entry next(Node node) throws InterruptedException {
    while (!node.closed
        && (node.applied >= commitIndex || pausedApply.contains(node.self))) {
      wait(1000);
    }
    if (node.closed) {
      return null;
    }
    Entry e = log.get((int) node.applied);
    if (corruptNextApply.remove(node.self)) {
      byte[] bad = e.payload.clone();
      for (int i = 2; i < bad.length; i++) {
        bad[i] = (byte) ~bad[i];
      }
      return new Entry(e.term, bad, e.proposer, e.future);
    }
    return e;
  }

  private synchronized void leave(Node node) {
    node.closed = true;
    running.remove(node.self, node);
    if (running.isEmpty()) {
      // A fully stopped group has no leader until the next election.
      leader = null;
      staleLeaders.clear();
    }
    notifyAll();
  }

  /** One member's view: implements the real {@link RaftNode} contract. */
  final class Node implements RaftNode {
    private final MemberId self;
    private final StateMachine machine;
    private final List<RaftListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ExecutorService listenerThread;
    private final Thread applyThread;
    private volatile long applied;
    private volatile boolean closed;
    private volatile Throwable failure;

    Node(MemberId self, StateMachine machine) {
      this.self = self;
      this.machine = machine;
      this.applied = machine.lastAppliedIndex();
      this.listenerThread = Executors.newSingleThreadExecutor(r -> daemon(r, "local-raft-listener-" + self));
      this.applyThread = daemon(this::applyLoop, "local-raft-apply-" + self);
    }

    void start() {
      applyThread.start();
    }

    private void applyLoop() {
      try {
        Entry e;
        while ((e = next(this)) != null) {
          long index = applied + 1;
          Object result = machine.apply(new CommittedEntry(index, e.term, e.payload));
          applied = index;
          if (e.proposer.equals(self)) {
            e.future.complete(new CommitResult(index, e.term, result));
          }
        }
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      } catch (Throwable t) {
        // As the runtime does: an apply failure is fatal for this member; it stops applying.
        failure = t;
        System.err.println("local-raft: " + self + " stopped applying after index " + applied);
        t.printStackTrace();
      }
    }

    void notifyListeners() {
      RaftStatus s = status();
      for (RaftListener l : listeners) {
        listenerThread.execute(() -> l.onRoleChange(s));
      }
    }

    @Override
    public CompletableFuture<CommitResult> propose(byte[] payload) {
      if (closed) {
        return CompletableFuture.failedFuture(new RaftShutdownException(self + " is closed"));
      }
      return LocalRaftGroup.this.propose(this, payload);
    }

    @Override
    public CompletableFuture<Membership> addMember(MemberId member) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException("membership changes: not built yet"));
    }

    @Override
    public CompletableFuture<Membership> removeMember(MemberId member) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException("membership changes: not built yet"));
    }

    @Override
    public CompletableFuture<MemberId> transferLeadership(MemberId target) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException("leadership transfer: not built yet"));
    }

    @Override
    public Membership membership() {
      return new Membership(0, Set.copyOf(members), Set.of()); // the double's fixed voter set
    }

    @Override
    public RaftStatus status() {
      return LocalRaftGroup.this.status(this);
    }

    @Override
    public void addListener(RaftListener listener) {
      listeners.add(listener);
      RaftStatus s = status();
      if (s.isLeader()) {
        listenerThread.execute(() -> listener.onRoleChange(s));
      }
    }

    @Override
    public void close() {
      leave(this);
      listenerThread.shutdownNow();
      try {
        applyThread.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
