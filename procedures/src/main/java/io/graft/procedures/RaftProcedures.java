package io.graft.procedures;

import static org.neo4j.internal.kernel.api.procs.Neo4jTypes.NTBoolean;
import static org.neo4j.internal.kernel.api.procs.Neo4jTypes.NTFloat;
import static org.neo4j.internal.kernel.api.procs.Neo4jTypes.NTInteger;
import static org.neo4j.internal.kernel.api.procs.Neo4jTypes.NTList;
import static org.neo4j.internal.kernel.api.procs.Neo4jTypes.NTString;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.neo4j.collection.ResourceRawIterator;
import org.neo4j.internal.kernel.api.exceptions.ProcedureException;
import org.neo4j.internal.kernel.api.procs.ProcedureSignature;
import org.neo4j.internal.kernel.api.procs.QualifiedName;
import org.neo4j.kernel.api.ResourceMonitor;
import org.neo4j.kernel.api.exceptions.Status;
import org.neo4j.kernel.api.procedure.CallableProcedure;
import org.neo4j.kernel.api.procedure.Context;
import org.neo4j.procedure.Mode;
import org.neo4j.values.AnyValue;
import org.neo4j.values.storable.Values;
import org.neo4j.values.virtual.VirtualValues;

/**
 * The {@code raft.*} procedures as programmatic {@link CallableProcedure}s, registered by the
 * plugin's global extension through {@code GlobalProcedures.register}. Programmatic registration
 * works the same in a real server and in an embedded DBMS, and a jar with no {@code @Procedure}
 * classes cannot be registered twice by the server's plugin scanner. Pure mapping: no logic.
 */
public final class RaftProcedures {
  /** Procedure names: part of the user's contract (docs/ARCHITECTURE.md §3). */
  public static final String STATUS = "raft.status";

  public static final String MEMBERS = "raft.members";
  public static final String DIGEST = "raft.digest";
  public static final String LATENCY = "raft.latency";

  private RaftProcedures() {}

  static QualifiedName name(String dotted) {
    int dot = dotted.lastIndexOf('.');
    return new QualifiedName(dotted.substring(0, dot).split("\\."), dotted.substring(dot + 1));
  }

  /** @param admin the admin of the replicated database, empty while it is not running */
  public static List<CallableProcedure> all(Supplier<Optional<RaftAdmin>> admin) {
    return all(admin, ClusterAdminAccess.DEFAULT);
  }

  /** @param access who may change the membership or leadership when authentication is on */
  public static List<CallableProcedure> all(Supplier<Optional<RaftAdmin>> admin,
      ClusterAdminAccess access) {
    return all(admin, access, List::of);
  }

  /**
   * @param warnings this member's security warnings (e.g. an exposed Raft port without TLS),
   *     shown in the last column of {@code raft.status()}
   */
  public static List<CallableProcedure> all(Supplier<Optional<RaftAdmin>> admin,
      ClusterAdminAccess access, Supplier<List<String>> warnings) {
    List<CallableProcedure> all = new ArrayList<>(List.of(status(admin, warnings),
        members(admin), digest(admin, access), latency(admin)));
    all.addAll(MembershipProcedures.all(admin, access));
    all.addAll(DataProcedures.all(admin, access));
    return all;
  }

  static CallableProcedure status(Supplier<Optional<RaftAdmin>> admin) {
    return status(admin, List::of);
  }

  /**
   * The columns of ARCHITECTURE.md §3 in their order, then {@code warnings} (added last, so the
   * contract's columns keep their positions): this member's security warnings, empty when none.
   */
  static CallableProcedure status(Supplier<Optional<RaftAdmin>> admin,
      Supplier<List<String>> warnings) {
    ProcedureSignature signature =
        ProcedureSignature.procedureSignature(name(STATUS))
            .mode(Mode.READ)
            .description("This member's Raft view: role, term, leader, indexes.")
            .out("memberId", NTString)
            .out("raftAddress", NTString)
            .out("boltAddress", NTString)
            .out("role", NTString)
            .out("term", NTInteger)
            .out("leaderId", NTString)
            .out("leaderBoltAddress", NTString)
            .out("commitIndex", NTInteger)
            .out("appliedIndex", NTInteger)
            .out("lastLogIndex", NTInteger)
            .out("lastTxId", NTInteger)
            .out("votingMembers", NTList(NTString))
            .out("warnings", NTList(NTString))
            .build();
    return new CallableProcedure.BasicProcedure(signature) {
      @Override
      public ResourceRawIterator<AnyValue[], ProcedureException> apply(
          Context ctx, AnyValue[] input, ResourceMonitor monitor) throws ProcedureException {
        StatusRow s = require(admin).status();
        List<AnyValue> voters = new ArrayList<>();
        s.votingMembers().forEach(v -> voters.add(Values.stringValue(v)));
        List<AnyValue> warned = new ArrayList<>();
        warnings.get().forEach(w -> warned.add(Values.stringValue(w)));
        return ResourceRawIterator.<AnyValue[], ProcedureException>of(
            new AnyValue[] {
              text(s.memberId()), text(s.raftAddress()), text(s.boltAddress()), text(s.role()),
              Values.longValue(s.term()), text(s.leaderId()), text(s.leaderBoltAddress()),
              Values.longValue(s.commitIndex()), Values.longValue(s.appliedIndex()),
              Values.longValue(s.lastLogIndex()), Values.longValue(s.lastTxId()),
              VirtualValues.fromList(voters), VirtualValues.fromList(warned)
            });
      }
    };
  }

  /** The columns of a {@code raft.members()} row, shared by the membership procedures. */
  static ProcedureSignature withMemberColumns(ProcedureSignature.Builder builder) {
    return builder
        .out("memberId", NTString)
        .out("raftAddress", NTString)
        .out("boltAddress", NTString)
        .out("role", NTString)
        .out("voting", NTBoolean)
        .out("matchIndex", NTInteger)
        .out("lag", NTInteger)
        .out("lastContactMillis", NTInteger)
        .build();
  }

  static CallableProcedure members(Supplier<Optional<RaftAdmin>> admin) {
    ProcedureSignature signature = withMemberColumns(
        ProcedureSignature.procedureSignature(name(MEMBERS))
            .mode(Mode.READ)
            .description("One row per Raft member of the replicated database."));
    return new CallableProcedure.BasicProcedure(signature) {
      @Override
      public ResourceRawIterator<AnyValue[], ProcedureException> apply(
          Context ctx, AnyValue[] input, ResourceMonitor monitor) throws ProcedureException {
        return ResourceRawIterator.<AnyValue[], ProcedureException>of(
            memberValues(require(admin).members()));
      }
    };
  }

  /**
   * Operator-only with authentication on: it reads the whole graph (a full scan in bounded
   * memory, {@link GraphDigest}), which no ordinary user should be able to start at will.
   */
  static CallableProcedure digest(Supplier<Optional<RaftAdmin>> admin,
      ClusterAdminAccess access) {
    ProcedureSignature signature =
        ProcedureSignature.procedureSignature(name(DIGEST))
            .mode(Mode.READ)
            .description("SHA-256 of the graph in id order, with the applied index it was taken"
                + " at (a full scan: only the users in server.raft.admin_users, when"
                + " authentication is on).")
            .out("digest", NTString)
            .out("appliedIndex", NTInteger)
            .out("lastTxId", NTInteger)
            .out("nodes", NTInteger)
            .out("relationships", NTInteger)
            .build();
    return new CallableProcedure.BasicProcedure(signature) {
      @Override
      public ResourceRawIterator<AnyValue[], ProcedureException> apply(
          Context ctx, AnyValue[] input, ResourceMonitor monitor) throws ProcedureException {
        access.check(DIGEST, ctx == null ? null : ctx.securityContext(),
            "read the whole graph (raft.digest scans every node and relationship)");
        RaftAdmin a = require(admin);
        long appliedBefore = a.appliedIndex();
        GraphDigest.Result r = GraphDigest.compute(ctx.internalTransaction());
        long appliedAfter = a.appliedIndex();
        // An apply that ran during the scan makes the digest meaningless: report -1 then.
        long applied = appliedBefore == appliedAfter ? appliedAfter : -1;
        return ResourceRawIterator.<AnyValue[], ProcedureException>of(
            new AnyValue[] {
              text(r.digest()), Values.longValue(applied),
              Values.longValue(a.status().lastTxId()), Values.longValue(r.nodes()),
              Values.longValue(r.relationships())
            });
      }
    };
  }

  static CallableProcedure latency(Supplier<Optional<RaftAdmin>> admin) {
    ProcedureSignature signature =
        ProcedureSignature.procedureSignature(name(LATENCY))
            .mode(Mode.READ)
            .description("Every latency histogram of this member since its database started: a"
                + " write's stages on the member that proposed it (each the time from the"
                + " proposal; encoded is the time before it), then the Raft log fsync and the"
                + " Neo4j log force. Quantiles are estimated from log-scale buckets (within 13 %).")
            .out("stage", NTString)
            .out("count", NTInteger)
            .out("p50Ms", NTFloat)
            .out("p99Ms", NTFloat)
            .out("p999Ms", NTFloat)
            .out("maxMs", NTFloat)
            .out("meanMs", NTFloat)
            .build();
    return new CallableProcedure.BasicProcedure(signature) {
      @Override
      public ResourceRawIterator<AnyValue[], ProcedureException> apply(
          Context ctx, AnyValue[] input, ResourceMonitor monitor) throws ProcedureException {
        List<AnyValue[]> rows = new ArrayList<>();
        require(admin).latencies().forEach((stage, h) -> rows.add(new AnyValue[] {
          Values.stringValue(stage), Values.longValue(h.count()),
          Values.doubleValue(h.p50Seconds() * 1e3), Values.doubleValue(h.p99Seconds() * 1e3),
          Values.doubleValue(h.p999Seconds() * 1e3), Values.doubleValue(h.maxSeconds() * 1e3),
          Values.doubleValue(h.meanSeconds() * 1e3)}));
        return ResourceRawIterator.<AnyValue[], ProcedureException>of(
            rows.toArray(new AnyValue[0][]));
      }
    };
  }

  static RaftAdmin require(Supplier<Optional<RaftAdmin>> admin) throws ProcedureException {
    return admin
        .get()
        .orElseThrow(
            () ->
                new ProcedureException(
                    Status.Procedure.ProcedureCallFailed,
                    "graft is not running on this member (server.raft.enabled=false, or the"
                        + " replicated database is stopped)"));
  }

  /** Rows in the {@code raft.members()} column order, shared with the membership procedures. */
  static AnyValue[][] memberValues(List<MemberRow> rows) {
    AnyValue[][] out = new AnyValue[rows.size()][];
    for (int i = 0; i < rows.size(); i++) {
      MemberRow m = rows.get(i);
      out[i] =
          new AnyValue[] {
            text(m.memberId()), text(m.raftAddress()), text(m.boltAddress()), text(m.role()),
            Values.booleanValue(m.voting()), Values.longValue(m.matchIndex()),
            Values.longValue(m.lag()), Values.longValue(m.lastContactMillis())
          };
    }
    return out;
  }

  private static AnyValue text(String s) {
    return s == null ? Values.NO_VALUE : Values.stringValue(s);
  }
}
