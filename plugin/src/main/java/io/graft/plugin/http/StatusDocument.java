package io.graft.plugin.http;

import io.graft.procedures.MemberRow;
import io.graft.procedures.StatusRow;
import io.graft.raft.api.metrics.SnapshotMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of {@code GET /db/<db>/cluster/status}: this member's {@code raft.status()} row under
 * its own column names, the health answers, one entry per member (with the leader's view of match
 * index and lag), recent Raft events, and the fields Neo4j Enterprise's status endpoint has
 * ({@code lastAppliedRaftIndex}, {@code leader}, {@code participatingInRaftGroup}, {@code
 * healthy}, {@code core}), so existing probes that read them keep working.
 */
final class StatusDocument {
  private StatusDocument() {}

  static Map<String, Object> of(MemberState s, MemberHealth h, long nowMillis) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("database", s.database());
    StatusRow r = s.status();
    if (r != null) {
      doc.put("memberId", r.memberId());
      doc.put("raftAddress", r.raftAddress());
      doc.put("boltAddress", r.boltAddress());
      doc.put("httpAddress", s.selfHttp());
      doc.put("role", r.role());
      doc.put("term", r.term());
      doc.put("leaderId", r.leaderId());
      doc.put("leaderBoltAddress", r.leaderBoltAddress());
      doc.put("commitIndex", r.commitIndex());
      doc.put("appliedIndex", r.appliedIndex());
      doc.put("lastLogIndex", r.lastLogIndex());
      doc.put("lastTxId", r.lastTxId());
      doc.put("votingMembers", r.votingMembers());
    } else {
      doc.put("httpAddress", s.selfHttp());
      doc.put("role", null);
    }
    doc.put("writable", h.writable());
    doc.put("readOnly", h.readOnly());
    doc.put("available", h.available());
    doc.put("healthy", h.healthy());
    doc.put("participatingInRaftGroup", h.participating());
    doc.put("applyLag", h.applyLag());
    doc.put("problems", h.problems());
    doc.put("panic", s.panic());
    doc.put("membershipChangeInFlight", s.membershipChangeInFlight());
    doc.put("leaderChanges", s.leaderChanges());
    // Neo4j Enterprise's names for the same facts.
    doc.put("core", true);
    doc.put("leader", r == null ? null : r.leaderId());
    doc.put("lastAppliedRaftIndex", r == null ? null : r.appliedIndex());
    doc.put("members", members(s));
    doc.put("snapshotTransfers", transfers(s));
    doc.put("events", events(s.events()));
    doc.put("timeMillis", nowMillis);
    return doc;
  }

  private static List<Map<String, Object>> members(MemberState s) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (MemberRow m : s.members()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("memberId", m.memberId());
      row.put("raftAddress", m.raftAddress());
      row.put("boltAddress", m.boltAddress());
      row.put("httpAddress", m.memberId().equals(s.status().memberId())
          ? s.selfHttp() : s.httpAddresses().get(m.memberId()));
      row.put("role", m.role());
      row.put("voting", m.voting());
      row.put("matchIndex", m.matchIndex());
      row.put("lag", m.lag());
      row.put("lastContactMillis", m.lastContactMillis());
      out.add(row);
    }
    return out;
  }

  private static List<Map<String, Object>> transfers(MemberState s) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (SnapshotMetrics.Transfer t : s.snapshots().transfers()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("to", t.to().value());
      row.put("index", t.index());
      row.put("bytesAcked", t.bytesAcked());
      row.put("bytesTotal", t.bytesTotal());
      out.add(row);
    }
    return out;
  }

  private static List<Map<String, Object>> events(List<RaftEvent> events) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (RaftEvent e : events) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("atMillis", e.atMillis());
      row.put("term", e.term());
      row.put("role", e.role());
      row.put("leaderId", e.leaderId());
      out.add(row);
    }
    return out;
  }
}
