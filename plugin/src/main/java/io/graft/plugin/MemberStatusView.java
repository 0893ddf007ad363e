package io.graft.plugin;

import io.graft.bridge.apply.GraphStateMachine;
import io.graft.plugin.routing.BoltAddressBook;
import io.graft.plugin.routing.RaftRoutingTable;
import io.graft.procedures.MemberRow;
import io.graft.procedures.StatusRow;
import io.graft.raft.api.RaftNode;
import io.graft.raft.api.RaftStatus;
import io.graft.raft.api.Role;
import java.util.ArrayList;
import java.util.List;

/**
 * This member as the procedures, the routing table and the HTTP endpoints show it: its Raft
 * status turned into rows (with Bolt addresses and the applied index), the role names of
 * docs/ARCHITECTURE.md §3, and the reason it stopped, if it did. Reads only; every call reads a
 * fresh {@link RaftStatus}.
 */
final class MemberStatusView {
  /** The role reported for a member whose Raft node stopped after a fatal error. */
  static final String STOPPED = "STOPPED";

  private final RaftNode raft;
  private final BoltAddressBook bolt;
  private final GraphStateMachine machine;

  MemberStatusView(RaftNode raft, BoltAddressBook bolt, GraphStateMachine machine) {
    this.raft = raft;
    this.bolt = bolt;
    this.machine = machine;
  }

  /** The row of {@code raft.status()}. */
  StatusRow status() {
    RaftStatus s = raft.status();
    String leader = s.leader() == null ? null : s.leader().value();
    List<String> voters = new ArrayList<>();
    for (RaftStatus.MemberStatus m : s.members()) {
      if (m.voting()) {
        voters.add(m.id().value());
      }
    }
    return new StatusRow(
        s.self().value(), s.self().value(), bolt.boltAddressOf(s.self().value()),
        roleOf(s.role()), s.term(), leader, leader == null ? null : bolt.boltAddressOf(leader),
        s.commitIndex(), machine.lastAppliedIndex(), s.lastLogIndex(), machine.lastCommittedTxId(),
        voters);
  }

  /** The rows of {@code raft.members()}. */
  List<MemberRow> members() {
    RaftStatus s = raft.status();
    List<MemberRow> rows = new ArrayList<>();
    for (RaftStatus.MemberStatus m : s.members()) {
      long lag = m.matchIndex() < 0 ? -1 : Math.max(0, s.lastLogIndex() - m.matchIndex());
      rows.add(new MemberRow(
          m.id().value(), m.id().value(), bolt.boltAddressOf(m.id().value()),
          m.id().equals(s.self()) ? roleOf(m.role()) : roleName(m.role()),
          m.voting(), m.matchIndex(), lag, m.lastContactMillis()));
    }
    return rows;
  }

  /** The routing table for {@code neo4j://} drivers, from this member's current view. */
  RaftRoutingTable routingTable(long ttlMillis) {
    RaftStatus s = raft.status();
    List<String> voters = new ArrayList<>();
    List<String> learners = new ArrayList<>();
    for (RaftStatus.MemberStatus m : s.members()) {
      (m.voting() ? voters : learners).add(m.id().value());
    }
    String leader = s.leader() == null ? null : s.leader().value();
    return RaftRoutingTable.compute(
        s.self().value(), leader, voters, learners, bolt::boltAddressOf, ttlMillis);
  }

  /**
   * Why graft stopped on this member (its Raft node hit a fatal error: a failed log write or
   * fsync, e.g. a full disk; a failed apply, e.g. Neo4j's own transaction log on a full disk), or
   * null while it runs. A stopped member is reported with role {@value #STOPPED}.
   */
  String stoppedBecause() {
    return raft.failure().map(MemberStatusView::cause).orElse(null);
  }

  /** The failure's cause, down to the root (e.g. "... : No space left on device"). */
  static String cause(Throwable failure) {
    Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = cause.getClass().getSimpleName() + ": " + cause.getMessage();
    return root == cause ? text : text + " (cause: " + root.getClass().getSimpleName() + ": "
        + root.getMessage() + ")";
  }

  /** This member's own role: {@value #STOPPED} once its Raft node stopped. */
  private String roleOf(Role role) {
    return raft.failure().isPresent() ? STOPPED : roleName(role);
  }

  /** docs/ARCHITECTURE.md §3 names: a pre-candidate is reported as CANDIDATE. */
  static String roleName(Role role) {
    return role == Role.PRE_CANDIDATE ? Role.CANDIDATE.name() : role.name();
  }
}
