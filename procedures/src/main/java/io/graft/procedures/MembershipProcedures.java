package io.graft.procedures;

import static org.neo4j.internal.kernel.api.procs.Neo4jTypes.NTString;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Membership;
import io.graft.raft.api.MembershipChangeException;
import io.graft.raft.api.RaftAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.neo4j.collection.ResourceRawIterator;
import org.neo4j.internal.kernel.api.exceptions.ProcedureException;
import org.neo4j.internal.kernel.api.procs.ProcedureSignature;
import org.neo4j.kernel.api.ResourceMonitor;
import org.neo4j.kernel.api.procedure.CallableProcedure;
import org.neo4j.kernel.api.procedure.Context;
import org.neo4j.procedure.Mode;
import org.neo4j.values.AnyValue;
import org.neo4j.values.storable.TextValue;
import org.neo4j.values.storable.Values;

/**
 * {@code raft.addMember}, {@code raft.removeMember}, {@code raft.transferLeadership}
 * (docs/ARCHITECTURE.md §3). Each checks its argument, calls the Raft member (which forwards to the
 * leader), waits (bounded) and returns the resulting membership with the {@code raft.members()}
 * columns, or fails with a {@link MembershipErrors} message. They are admin procedures, but in
 * Community Neo4j lets every authenticated user run those (it has no roles), so each one first
 * asks {@link ClusterAdminAccess} whether the session's user may reconfigure the cluster.
 */
public final class MembershipProcedures {
  public static final String ADD_MEMBER = "raft.addMember";
  public static final String REMOVE_MEMBER = "raft.removeMember";
  public static final String TRANSFER_LEADERSHIP = "raft.transferLeadership";

  private MembershipProcedures() {}

  public static List<CallableProcedure> all(Supplier<Optional<RaftAdmin>> admin) {
    return all(admin, ClusterAdminAccess.DEFAULT);
  }

  /** @param access who may call them when authentication is on */
  public static List<CallableProcedure> all(Supplier<Optional<RaftAdmin>> admin,
      ClusterAdminAccess access) {
    return List.of(addMember(admin, access), removeMember(admin, access),
        transferLeadership(admin, access));
  }

  static CallableProcedure addMember(Supplier<Optional<RaftAdmin>> admin,
      ClusterAdminAccess access) {
    return procedure(admin, access, ADD_MEMBER, "raftAddress",
        "Adds a running server (server.raft.enabled=true) by its advertised Raft address: it "
            + "catches up as a learner, then becomes a voter. Returns the new membership.",
        (a, arg) -> {
          String address = checkAddress(ADD_MEMBER, arg);
          Membership m = await(ADD_MEMBER, address, a, a.raft().addMember(MemberId.of(address)));
          return rows(a, m);
        });
  }

  static CallableProcedure removeMember(Supplier<Optional<RaftAdmin>> admin,
      ClusterAdminAccess access) {
    return procedure(admin, access, REMOVE_MEMBER, "memberIdOrAddress",
        "Removes a member (the leader included). Returns the new membership.",
        (a, arg) -> {
          MemberId member = resolve(REMOVE_MEMBER, a, arg);
          Membership m = await(REMOVE_MEMBER, member.value(), a, a.raft().removeMember(member));
          return rows(a, m);
        });
  }

  static CallableProcedure transferLeadership(Supplier<Optional<RaftAdmin>> admin,
      ClusterAdminAccess access) {
    return procedure(admin, access, TRANSFER_LEADERSHIP, "memberIdOrAddress",
        "Hands leadership to a caught-up voting member. Returns the membership.",
        (a, arg) -> {
          MemberId target = resolve(TRANSFER_LEADERSHIP, a, arg);
          MemberId leader = await(TRANSFER_LEADERSHIP, target.value(), a,
              a.raft().transferLeadership(target));
          return withLeader(a.members(), leader.value());
        });
  }

  /** The change itself: admin and the raw argument in, membership rows out. */
  interface Change {
    List<MemberRow> apply(RaftAdmin admin, String argument) throws ProcedureException;
  }

  private static CallableProcedure procedure(
      Supplier<Optional<RaftAdmin>> admin, ClusterAdminAccess access,
      String dotted, String argName, String description, Change change) {
    ProcedureSignature signature = RaftProcedures.withMemberColumns(
        ProcedureSignature.procedureSignature(RaftProcedures.name(dotted))
            .mode(Mode.DBMS)
            .admin(true)
            .description(description)
            .in(argName, NTString));
    return new CallableProcedure.BasicProcedure(signature) {
      @Override
      public ResourceRawIterator<AnyValue[], ProcedureException> apply(
          Context ctx, AnyValue[] input, ResourceMonitor monitor) throws ProcedureException {
        access.check(dotted, ctx == null ? null : ctx.securityContext());
        RaftAdmin a = RaftProcedures.require(admin);
        String arg = input.length > 0 && input[0] instanceof TextValue t ? t.stringValue() : null;
        return ResourceRawIterator.<AnyValue[], ProcedureException>of(
            RaftProcedures.memberValues(change.apply(a, arg)));
      }
    };
  }

  /**
   * A Raft address as the member would advertise it ({@link RaftAddress}: host:port), no wildcard;
   * returned in its canonical form, which is that member's id.
   */
  static String checkAddress(String procedure, String value) throws ProcedureException {
    RaftAddress address;
    try {
      address = RaftAddress.parse(value);
    } catch (RaftAddress.MalformedAddressException e) {
      throw MembershipErrors.malformedAddress(procedure, e.input(), e.reason());
    }
    if (address.isWildcard()) {
      throw MembershipErrors.malformedAddress(procedure, value.trim(),
          "a wildcard is not reachable");
    }
    return address.toString();
  }

  /** A member named by id or by Raft address (today the same string), among the known members. */
  static MemberId resolve(String procedure, RaftAdmin admin, String value)
      throws ProcedureException {
    List<String> known = new ArrayList<>();
    for (MemberRow row : admin.members()) {
      known.add(row.memberId());
      if (value != null
          && (row.memberId().equals(value.trim()) || row.raftAddress().equals(value.trim()))) {
        return MemberId.of(row.memberId());
      }
    }
    if (value != null && !value.isBlank() && value.trim().contains(":")) {
      checkAddress(procedure, value);
    }
    throw MembershipErrors.unknownMember(procedure, String.valueOf(value), known);
  }

  private static <T> T await(String procedure, String target, RaftAdmin admin,
      CompletableFuture<T> future) throws ProcedureException {
    Duration bound = admin.changeTimeout();
    try {
      return future.get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw MembershipErrors.other(procedure, target, e, bound);
    } catch (TimeoutException e) {
      throw MembershipErrors.other(procedure, target, e, bound);
    } catch (ExecutionException e) {
      throw map(procedure, target, admin, e.getCause());
    } catch (RuntimeException e) {
      throw map(procedure, target, admin, e);
    }
  }

  private static ProcedureException map(
      String procedure, String target, RaftAdmin admin, Throwable cause) {
    if (cause instanceof MembershipChangeException mce) {
      Function<String, String> bolt = admin::boltAddressOf;
      return MembershipErrors.refused(procedure, target, mce, bolt);
    }
    return MembershipErrors.other(procedure, target, cause, admin.changeTimeout());
  }

  /**
   * The membership the change produced, enriched with this member's live view where it has one.
   * On a follower the new configuration entry may not have arrived yet, so rows come from the
   * returned {@link Membership}, not from the local status alone.
   */
  static List<MemberRow> rows(RaftAdmin admin, Membership membership) {
    Map<String, MemberRow> live = new TreeMap<>();
    admin.members().forEach(r -> live.put(r.memberId(), r));
    Map<String, Boolean> members = new TreeMap<>();
    membership.voters().forEach(v -> members.put(v.value(), true));
    membership.learners().forEach(l -> members.put(l.value(), false));
    List<MemberRow> out = new ArrayList<>();
    members.forEach((id, voting) -> {
      MemberRow r = live.get(id);
      String role = r != null && r.voting() == voting ? r.role() : voting ? "FOLLOWER" : "LEARNER";
      out.add(new MemberRow(id, id, admin.boltAddressOf(id), role, voting,
          r == null ? -1 : r.matchIndex(), r == null ? -1 : r.lag(),
          r == null ? -1 : r.lastContactMillis()));
    });
    return out;
  }

  /** After a transfer: the rows, with the new leader shown as LEADER and the old one FOLLOWER. */
  static List<MemberRow> withLeader(List<MemberRow> rows, String leader) {
    List<MemberRow> out = new ArrayList<>();
    for (MemberRow r : rows) {
      String role = r.memberId().equals(leader) ? "LEADER"
          : "LEADER".equals(r.role()) ? "FOLLOWER" : r.role();
      out.add(new MemberRow(r.memberId(), r.raftAddress(), r.boltAddress(), role, r.voting(),
          r.matchIndex(), r.lag(), r.lastContactMillis()));
    }
    return out;
  }
}
