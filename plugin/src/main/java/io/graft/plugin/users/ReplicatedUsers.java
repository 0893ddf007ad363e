package io.graft.plugin.users;

import io.graft.bridge.apply.UsersState;
import io.graft.bridge.codec.EntryCodec;
import io.graft.bridge.model.UserRecord;
import io.graft.bridge.model.UsersEntry;
import io.graft.raft.api.NotLeaderException;
import io.graft.raft.api.ProposalRejectedException;
import io.graft.raft.api.RaftNode;
import io.graft.raft.api.RaftShutdownException;
import io.graft.raft.api.RaftStatus;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.neo4j.kernel.api.exceptions.Status;
import org.neo4j.logging.InternalLog;

/**
 * Users the same on every member, for one running replicated database (docs/SECURITY-DESIGN.md):
 *
 * <ul>
 *   <li>{@link #replicate}: on the leader, a security command's user changes become a users entry
 *       in the Raft log before the command commits locally (it waits until the entry is applied
 *       here, i.e. committed by a majority and durable in the user table). On any other member
 *       the command is refused with {@code NotALeader} and the leader's Bolt address: one
 *       writer, one order, nothing to reconcile.
 *   <li>the projection: each member's system database follows the durable user table, on its
 *       own thread ({@code graft-users-<member>}), through Neo4j's administration commands. It is
 *       asynchronous because on the leader the command that proposed the change still holds its
 *       locks when the entry is applied; names of such a command in flight are left alone until
 *       it commits or rolls back, then projected (idempotently). Start-up and a snapshot install
 *       project every user the table names; a failed projection is retried.
 * </ul>
 */
public final class ReplicatedUsers implements AutoCloseable {
  private static final ThreadLocal<Boolean> PROJECTING = ThreadLocal.withInitial(() -> false);
  private static final long RETRY_MILLIS = 2000;

  private final String self;
  private final RaftNode raft;
  private final UsersState state;
  private final SystemUsers system;
  private final Duration commitTimeout;
  private final UnaryOperator<String> boltOf;
  private final InternalLog log;
  private final ScheduledExecutorService worker;
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  private final Map<String, Integer> inFlight = new ConcurrentHashMap<>();

  private ReplicatedUsers(String self, RaftNode raft, UsersState state, SystemUsers system,
      Duration commitTimeout, UnaryOperator<String> boltOf, InternalLog log) {
    this.self = self;
    this.raft = raft;
    this.state = state;
    this.system = system;
    this.commitTimeout = commitTimeout;
    this.boltOf = boltOf;
    this.log = log;
    this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "graft-users-" + self);
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Starts projecting {@code state} into this member's system database ({@code system}): every
   * user the table names now, then each change as it is applied.
   *
   * @param boltOf a member's Bolt address (for the refusal on a follower), or null when unknown
   */
  public static ReplicatedUsers start(String self, RaftNode raft, UsersState state,
      org.neo4j.graphdb.GraphDatabaseService system, Duration commitTimeout,
      UnaryOperator<String> boltOf, InternalLog log) {
    ReplicatedUsers users = new ReplicatedUsers(self, raft, state, new SystemUsers(system),
        commitTimeout, boltOf, log);
    state.onChange(users::changed);
    users.changed(state.current().users().keySet());
    return users;
  }

  /** True on the projection's own thread: its commands are applying the table, not changing it. */
  static boolean projecting() {
    return PROJECTING.get();
  }

  /**
   * The leader's side of a security command, before it commits: the changes are committed by a
   * majority and applied here, or the command fails with a reason. Returns the names now held
   * until {@link #release}.
   */
  Set<String> replicate(List<UserRecord> changes) {
    RaftStatus status = raft.status();
    if (!status.isLeader()) {
      throw notLeader(status.leader() == null ? null : status.leader().value());
    }
    Set<String> names = new LinkedHashSet<>();
    changes.forEach(c -> names.add(c.name()));
    names.forEach(n -> inFlight.merge(n, 1, Integer::sum));
    try {
      raft.propose(EntryCodec.encode(new UsersEntry(changes)))
          .get(commitTimeout.toMillis(), TimeUnit.MILLISECONDS);
      log.info("graft: user change replicated: %s", changes);
      return names;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      release(names);
      throw unknown(e);
    } catch (TimeoutException e) {
      release(names);
      throw unknown(e);
    } catch (ExecutionException e) {
      release(names);
      Throwable cause = e.getCause();
      if (cause instanceof NotLeaderException notLeader) {
        throw notLeader(notLeader.leaderHint().map(m -> m.value()).orElse(null));
      }
      if (cause instanceof ProposalRejectedException) {
        throw new UserChangeRefused(Status.Cluster.ReplicationFailure, "graft: the cluster is"
            + " busy (too much not yet committed); the user change was not made, retry it",
            cause);
      }
      if (cause instanceof RaftShutdownException) {
        throw new UserChangeRefused(Status.General.DatabaseUnavailable, "graft: this member is"
            + " shutting down; the user change was not made", cause);
      }
      throw unknown(cause);
    }
  }

  /** The security command that held {@code names} committed or rolled back: project them now. */
  void release(Set<String> names) {
    for (String n : names) {
      inFlight.computeIfPresent(n, (k, count) -> count <= 1 ? null : count - 1);
    }
    changed(names);
  }

  private UserChangeRefused notLeader(String leader) {
    String where = leader == null ? "no leader is known right now (an election is running):"
        + " retry in a few seconds"
        : "the leader is " + leader + (boltOf.apply(leader) == null ? ""
            : " (Bolt " + boltOf.apply(leader) + ")") + ": run it there";
    return new UserChangeRefused(Status.Cluster.NotALeader, "graft: users are changed on the"
        + " Raft leader only, so that every member gets the same change in the same order; this"
        + " member (" + self + ") is not the leader, " + where + ". Nothing was changed.");
  }

  private UserChangeRefused unknown(Throwable cause) {
    return new UserChangeRefused(Status.Cluster.ReplicationFailure, "graft: the user change was"
        + " not confirmed by a majority within server.raft.commit_timeout (" + commitTimeout
        + "): it may still reach every member, or none; check with SHOW USERS on the leader"
        + " before retrying", cause);
  }

  private void changed(Set<String> names) {
    pending.addAll(names);
    schedule(0);
  }

  private void schedule(long delayMillis) {
    try {
      worker.schedule(this::project, delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closed) {
      // shutting down: the table is durable, the next start projects it
    }
  }

  private void project() {
    boolean retry = false;
    PROJECTING.set(true);
    try {
      for (String name : Set.copyOf(pending)) {
        if (inFlight.containsKey(name) || !pending.remove(name)) {
          continue; // its own command commits it here; projected on release
        }
        UserRecord desired = state.current().users().get(name);
        if (desired == null) {
          continue;
        }
        try {
          String done = system.converge(desired);
          if (done != null) {
            log.info("graft: user '%s' %s on this member, as the cluster's user table says",
                name, done);
          }
        } catch (RuntimeException e) {
          pending.add(name);
          retry = true;
          log.warn("graft: cannot bring user '%s' in line with the cluster's user table on this"
              + " member (retrying in %d ms): %s", name, RETRY_MILLIS, e.getMessage());
        }
      }
    } finally {
      PROJECTING.set(false);
    }
    if (retry) {
      schedule(RETRY_MILLIS);
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
