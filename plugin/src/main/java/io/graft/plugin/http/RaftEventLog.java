package io.graft.plugin.http;

import io.graft.raft.api.RaftListener;
import io.graft.raft.api.RaftStatus;
import io.graft.raft.api.Role;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The last {@link #CAPACITY} changes of role, term or leader this member saw, with the time it saw
 * them: the cluster view's timeline of elections and leader changes. Fed by the Raft member's
 * listener (one thread, in order); read by HTTP threads.
 */
public final class RaftEventLog implements RaftListener {
  static final int CAPACITY = 64;

  private final LongSupplier clockMillis;
  private final ArrayDeque<RaftEvent> events = new ArrayDeque<>();
  private RaftEvent last;
  private long leaderChanges;

  public RaftEventLog() {
    this(System::currentTimeMillis);
  }

  RaftEventLog(LongSupplier clockMillis) {
    this.clockMillis = clockMillis;
  }

  @Override
  public void onRoleChange(RaftStatus status) {
    String leader = status.leader() == null ? null : status.leader().value();
    record(status.term(), roleName(status.role()), leader);
  }

  synchronized void record(long term, String role, String leader) {
    if (last != null && last.term() == term && last.role().equals(role)
        && Objects.equals(last.leaderId(), leader)) {
      return;
    }
    if (leader != null && (last == null || !leader.equals(last.leaderId()))) {
      leaderChanges++;
    }
    last = new RaftEvent(clockMillis.getAsLong(), term, role, leader);
    events.addLast(last);
    if (events.size() > CAPACITY) {
      events.removeFirst();
    }
  }

  /** Oldest first. */
  public synchronized List<RaftEvent> events() {
    return new ArrayList<>(events);
  }

  /** How many times this member saw a new leader (none → a leader counts as one). */
  public synchronized long leaderChanges() {
    return leaderChanges;
  }

  /** ARCHITECTURE §3 names: a pre-candidate is reported as CANDIDATE. */
  static String roleName(Role role) {
    return role == Role.PRE_CANDIDATE ? Role.CANDIDATE.name() : role.name();
  }
}
