package io.graft.procedures;

import static org.neo4j.internal.kernel.api.procs.Neo4jTypes.NTInteger;
import static org.neo4j.internal.kernel.api.procs.Neo4jTypes.NTList;
import static org.neo4j.internal.kernel.api.procs.Neo4jTypes.NTMap;
import static org.neo4j.internal.kernel.api.procs.Neo4jTypes.NTString;

import io.graft.raft.api.ForcedCluster;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.MembershipChangeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.neo4j.collection.ResourceRawIterator;
import org.neo4j.internal.kernel.api.exceptions.ProcedureException;
import org.neo4j.internal.kernel.api.procs.DefaultParameterValue;
import org.neo4j.internal.kernel.api.procs.ProcedureSignature;
import org.neo4j.kernel.api.ResourceMonitor;
import org.neo4j.kernel.api.exceptions.Status;
import org.neo4j.kernel.api.procedure.CallableProcedure;
import org.neo4j.kernel.api.procedure.Context;
import org.neo4j.procedure.Mode;
import org.neo4j.values.AnyValue;
import org.neo4j.values.storable.BooleanValue;
import org.neo4j.values.storable.TextValue;
import org.neo4j.values.storable.Values;
import org.neo4j.values.virtual.MapValue;
import org.neo4j.values.virtual.VirtualValues;

/**
 * The data-safety procedures (ARCHITECTURE.md §3; README "Backups", "Losing a majority"):
 * {@code raft.backup(directory, options)} and {@code raft.forceNewCluster()}. Both are admin
 * procedures checked against {@code server.raft.admin_users} like the membership ones (Neo4j
 * Community has no roles), and both map every refusal onto a message that says what to do.
 */
public final class DataProcedures {
  public static final String BACKUP = "raft.backup";
  public static final String FORCE_NEW_CLUSTER = "raft.forceNewCluster";

  private DataProcedures() {}

  public static List<CallableProcedure> all(Supplier<Optional<RaftAdmin>> admin,
      ClusterAdminAccess access) {
    return List.of(backup(admin, access), forceNewCluster(admin, access));
  }

  static CallableProcedure backup(Supplier<Optional<RaftAdmin>> admin,
      ClusterAdminAccess access) {
    ProcedureSignature signature =
        ProcedureSignature.procedureSignature(RaftProcedures.name(BACKUP))
            .mode(Mode.DBMS)
            .admin(true)
            .description("A consistent copy of the replicated database at one applied index,"
                + " taken online (writes continue; best on a follower), into a new or empty"
                + " directory laid out as a Neo4j data/ folder. options: {dump: true} also"
                + " writes <directory>/<database>.dump with Neo4j's dumper.")
            .in("directory", NTString)
            .in("options", NTMap, DefaultParameterValue.ntMap(Map.of()))
            .out("directory", NTString)
            .out("appliedIndex", NTInteger)
            .out("lastTxId", NTInteger)
            .out("bytes", NTInteger)
            .out("millis", NTInteger)
            .build();
    return adminChecked(signature, BACKUP, "take a backup of the replicated database", admin,
        access, DataProcedures::backupRow);
  }

  /** raft.backup's row: the directory and options checked, then {@link RaftAdmin#backup}. */
  private static AnyValue[] backupRow(RaftAdmin a, AnyValue[] input) throws ProcedureException {
    String directory = input.length > 0 && input[0] instanceof TextValue t
        ? t.stringValue() : null;
    if (directory == null || directory.isBlank()) {
      throw failed("%s: name the directory to write the backup into (absolute path)", BACKUP);
    }
    boolean dump = dumpOption(input.length > 1 ? input[1] : null);
    BackupRow row;
    try {
      row = a.backup(directory.trim(), dump);
    } catch (IllegalArgumentException e) {
      throw failed("%s", e.getMessage()); // refused before anything was written
    } catch (Exception e) {
      throw new ProcedureException(Status.Procedure.ProcedureCallFailed, e,
          "%s into %s failed, nothing was kept: %s", BACKUP, directory, e);
    }
    return new AnyValue[] {
      Values.stringValue(row.directory()), Values.longValue(row.appliedIndex()),
      Values.longValue(row.lastTxId()), Values.longValue(row.bytes()),
      Values.longValue(row.millis())
    };
  }

  /** What an admin procedure does once the caller is allowed and graft runs: its one row. */
  @FunctionalInterface
  interface AdminCall {
    AnyValue[] row(RaftAdmin admin, AnyValue[] input) throws ProcedureException;
  }

  /**
   * The shape of every admin procedure here: the caller is checked against {@code
   * server.raft.admin_users} ({@code action} says what it was refused), graft must run on this
   * database, then {@code call} produces the one row.
   */
  static CallableProcedure adminChecked(ProcedureSignature signature, String name, String action,
      Supplier<Optional<RaftAdmin>> admin, ClusterAdminAccess access, AdminCall call) {
    return new CallableProcedure.BasicProcedure(signature) {
      @Override
      public ResourceRawIterator<AnyValue[], ProcedureException> apply(
          Context ctx, AnyValue[] input, ResourceMonitor monitor) throws ProcedureException {
        access.check(name, ctx == null ? null : ctx.securityContext(), action);
        return ResourceRawIterator.<AnyValue[], ProcedureException>of(
            call.row(RaftProcedures.require(admin), input));
      }
    };
  }

  private static boolean dumpOption(AnyValue options) throws ProcedureException {
    if (!(options instanceof MapValue map)) {
      return false;
    }
    for (String key : map.keySet()) {
      if (!key.equals("dump")) {
        throw failed("%s: unknown option '%s' (known: dump)", BACKUP, key);
      }
    }
    AnyValue dump = map.get("dump");
    if (dump == Values.NO_VALUE) {
      return false;
    }
    if (!(dump instanceof BooleanValue b)) {
      throw failed("%s: option dump must be true or false, got %s", BACKUP, dump);
    }
    return b.booleanValue();
  }

  static CallableProcedure forceNewCluster(Supplier<Optional<RaftAdmin>> admin,
      ClusterAdminAccess access) {
    ProcedureSignature signature =
        ProcedureSignature.procedureSignature(RaftProcedures.name(FORCE_NEW_CLUSTER))
            .mode(Mode.DBMS)
            .admin(true)
            .description("After losing a majority of voters for good: this member becomes the"
                + " only voter of a new cluster, keeping its data. Refused while a leader is"
                + " known or a majority is reachable. Says what may have been lost.")
            .out("memberId", NTString)
            .out("term", NTInteger)
            .out("previousVoters", NTList(NTString))
            .out("knownCommittedIndex", NTInteger)
            .out("lastLogIndex", NTInteger)
            .out("uncertainEntries", NTInteger)
            .out("message", NTString)
            .build();
    return adminChecked(signature, FORCE_NEW_CLUSTER, "re-form the cluster", admin, access,
        DataProcedures::forceNewClusterRow);
  }

  /** raft.forceNewCluster's row: what the re-formed cluster is and what may have been lost. */
  private static AnyValue[] forceNewClusterRow(RaftAdmin a, AnyValue[] input)
      throws ProcedureException {
    ForcedCluster f = await(a);
    List<AnyValue> previous = new ArrayList<>();
    for (MemberId v : sorted(f.previousVoters())) {
      previous.add(Values.stringValue(v.value()));
    }
    return new AnyValue[] {
      Values.stringValue(f.self().value()), Values.longValue(f.term()),
      VirtualValues.fromList(previous), Values.longValue(f.knownCommittedIndex()),
      Values.longValue(f.lastLogIndex()), Values.longValue(f.uncertainEntries()),
      Values.stringValue(f.describe())
    };
  }

  private static ForcedCluster await(RaftAdmin admin) throws ProcedureException {
    Duration bound = admin.changeTimeout();
    try {
      return admin.raft().forceNewCluster().get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw MembershipErrors.other(FORCE_NEW_CLUSTER, "", e, bound);
    } catch (TimeoutException e) {
      throw MembershipErrors.other(FORCE_NEW_CLUSTER, "", e, bound);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof MembershipChangeException mce) {
        throw refused(mce);
      }
      throw MembershipErrors.other(FORCE_NEW_CLUSTER, "", e.getCause(), bound);
    }
  }

  private static ProcedureException refused(MembershipChangeException e) {
    String what = switch (e.reason()) {
      case LEADER_KNOWN -> "refused: the cluster still has a leader, so it still has a majority;"
          + " nothing changed. Change its membership with raft.removeMember and"
          + " raft.addMember on the leader instead";
      case QUORUM_REACHABLE -> "refused: a majority of the voters may still be reachable, and it"
          + " can elect a leader without this; nothing changed. Use it only once the lost"
          + " members are gone for good";
      case NOT_A_VOTER -> "refused: this member is not a voter; run it on a surviving voter";
      default -> "refused";
    };
    return failed("%s: %s [%s: %s]", FORCE_NEW_CLUSTER, what, e.reason(), e.getMessage());
  }

  private static List<MemberId> sorted(Set<MemberId> ids) {
    List<MemberId> out = new ArrayList<>(ids);
    out.sort((x, y) -> x.value().compareTo(y.value()));
    return out;
  }

  private static ProcedureException failed(String format, Object... args) {
    return new ProcedureException(Status.Procedure.ProcedureCallFailed, format, args);
  }
}
