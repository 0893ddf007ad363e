package io.graft.procedures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.CommitResult;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.Membership;
import io.graft.raft.api.MembershipChangeException;
import io.graft.raft.api.MembershipChangeException.Reason;
import io.graft.raft.api.RaftListener;
import io.graft.raft.api.RaftNode;
import io.graft.raft.api.RaftStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.neo4j.collection.ResourceRawIterator;
import org.neo4j.internal.kernel.api.exceptions.ProcedureException;
import org.neo4j.kernel.api.exceptions.Status;
import org.neo4j.kernel.api.procedure.CallableProcedure;
import org.neo4j.procedure.Mode;
import org.neo4j.values.AnyValue;
import org.neo4j.values.storable.TextValue;
import org.neo4j.values.storable.Values;

/**
 * The membership procedures map arguments and the Raft member's answers onto rows or onto the
 * documented messages: every {@link Reason}, malformed addresses, unknown members, the wait bound.
 */
class MembershipProceduresTest {
  private static final Map<String, String> BOLT =
      Map.of("a:7000", "a:7687", "b:7000", "b:7687", "c:7000", "c:7687", "d:7000", "d:7687");

  private final FakeNode node = new FakeNode();
  private final FakeAdmin admin = new FakeAdmin(node);

  @Test
  void signaturesAreAdminDbmsProceduresWithTheMembersColumns() {
    for (CallableProcedure p : MembershipProcedures.all(() -> Optional.of(admin))) {
      assertThat(p.signature().admin()).as(p.signature().name().toString()).isTrue();
      assertThat(p.signature().mode()).isEqualTo(Mode.DBMS);
      assertThat(p.signature().outputSignature()).extracting(f -> f.name()).containsExactly(
          "memberId", "raftAddress", "boltAddress", "role", "voting", "matchIndex", "lag",
          "lastContactMillis");
    }
  }

  @Test
  void addMemberReturnsTheNewMembershipIncludingAMemberTheLocalViewLacks() throws Exception {
    node.membershipResult = CompletableFuture.completedFuture(new Membership(9,
        Set.of(id("a:7000"), id("b:7000"), id("c:7000"), id("d:7000")), Set.of()));
    List<AnyValue[]> rows = call(MembershipProcedures.ADD_MEMBER, " d:7000 ");
    assertThat(node.lastTarget).isEqualTo(id("d:7000"));
    assertThat(rows).hasSize(4);
    AnyValue[] d = rows.stream().filter(r -> text(r[0]).equals("d:7000")).findFirst().orElseThrow();
    assertThat(text(d[2])).isEqualTo("d:7687");
    assertThat(text(d[3])).isEqualTo("FOLLOWER");
    assertThat(d[4]).isEqualTo(Values.TRUE);
  }

  @Test
  void malformedAddressesAreRefusedBeforeAnythingIsProposed() {
    for (String bad : new String[] {"", "nohost", "host:", ":7000", "h:port", "h:70000",
        "0.0.0.0:7000", "a b:7000", "::1:7000"}) {
      assertThatThrownBy(() -> call(MembershipProcedures.ADD_MEMBER, bad))
          .as(bad).isInstanceOf(ProcedureException.class)
          .hasMessageContaining("is not a Raft address");
    }
    assertThat(node.calls).isZero();
  }

  /** RaftAddress parses; the procedure names itself and the reason, and adds the canonical id. */
  @Test
  void addressesAreReadByRaftAddressAndCanonical() throws Exception {
    assertThat(MembershipProcedures.checkAddress("raft.addMember", "  [::1]:7000 "))
        .isEqualTo("[::1]:7000");
    assertThat(MembershipProcedures.checkAddress("raft.addMember", "h:07000")).isEqualTo("h:7000");
    assertThatThrownBy(() -> MembershipProcedures.checkAddress("raft.addMember", "::1:7000"))
        .hasMessage("raft.addMember: '::1:7000' is not a Raft address (IPv6 hosts need "
            + "[brackets]); expected host:port as in server.raft.advertised_address of that "
            + "server, e.g. 10.0.0.4:7000");
    assertThatThrownBy(() -> MembershipProcedures.checkAddress("raft.addMember", "[::]:7000"))
        .hasMessageContaining("(a wildcard is not reachable)");
  }

  @Test
  void unknownMemberNamesTheMembers() {
    assertThatThrownBy(() -> call(MembershipProcedures.REMOVE_MEMBER, "x:7000"))
        .hasMessageContaining("'x:7000' is not a member of this cluster")
        .hasMessageContaining("a:7000");
    assertThatThrownBy(() -> call(MembershipProcedures.TRANSFER_LEADERSHIP, "nobody"))
        .hasMessageContaining("is not a member");
    assertThat(node.calls).isZero();
  }

  @Test
  void everyReasonHasAnActionableMessage() {
    Map<Reason, String> expected = Map.of(
        Reason.CHANGE_IN_PROGRESS, "still in progress",
        Reason.UNKNOWN_MEMBER, "not a member",
        Reason.ALREADY_MEMBER, "already a voting member",
        Reason.WOULD_BREAK_QUORUM, "could not form a majority",
        Reason.NOT_CAUGHT_UP, "did not catch up",
        Reason.UNREACHABLE, "could not be reached",
        Reason.TIMED_OUT, "may still take effect",
        Reason.INVALID_TARGET, "cannot take over leadership");
    for (Reason reason : Reason.values()) {
      if (reason == Reason.NOT_LEADER) {
        continue;
      }
      node.membershipResult = CompletableFuture.failedFuture(
          new MembershipChangeException(reason, "core says " + reason));
      assertThatThrownBy(() -> call(MembershipProcedures.REMOVE_MEMBER, "b:7000"))
          .as(reason.name()).isInstanceOf(ProcedureException.class)
          .hasMessageContaining(expected.get(reason))
          .hasMessageContaining("core says " + reason)
          .hasMessageContaining("b:7000");
    }
  }

  @Test
  void notLeaderNamesTheLeadersBoltAddress() {
    node.transferResult = CompletableFuture.failedFuture(new MembershipChangeException(
        Reason.NOT_LEADER, "not leader", id("c:7000")));
    assertThatThrownBy(() -> call(MembershipProcedures.TRANSFER_LEADERSHIP, "b:7000"))
        .isInstanceOfSatisfying(ProcedureException.class,
            e -> assertThat(e.status()).isEqualTo(Status.Cluster.NotALeader))
        .hasMessageContaining("leader c:7000 (Bolt c:7687)");
    node.transferResult = CompletableFuture.failedFuture(
        new MembershipChangeException(Reason.NOT_LEADER, "no leader"));
    assertThatThrownBy(() -> call(MembershipProcedures.TRANSFER_LEADERSHIP, "b:7000"))
        .hasMessageContaining("no leader is known right now");
  }

  @Test
  void aChangeThatOutlivesTheBoundSaysItMayStillComplete() {
    admin.timeout = Duration.ofMillis(50);
    node.membershipResult = new CompletableFuture<>();
    assertThatThrownBy(() -> call(MembershipProcedures.REMOVE_MEMBER, "c:7000"))
        .hasMessageContaining("it may still complete");
  }

  @Test
  void transferShowsTheNewLeader() throws Exception {
    node.transferResult = CompletableFuture.completedFuture(id("b:7000"));
    List<AnyValue[]> rows = call(MembershipProcedures.TRANSFER_LEADERSHIP, "b:7000");
    Map<String, String> roles = new java.util.TreeMap<>();
    rows.forEach(r -> roles.put(text(r[0]), text(r[3])));
    assertThat(roles).containsEntry("b:7000", "LEADER").containsEntry("a:7000", "FOLLOWER");
  }

  @Test
  void withoutGraftRunningTheCallFailsClearly() {
    CallableProcedure p = MembershipProcedures.all(Optional::empty).get(0);
    assertThatThrownBy(() -> p.apply(null, new AnyValue[] {Values.stringValue("d:7000")}, null))
        .hasMessageContaining("graft is not running");
  }

  private List<AnyValue[]> call(String name, String arg) throws ProcedureException {
    CallableProcedure p = MembershipProcedures.all(() -> Optional.of(admin)).stream()
        .filter(c -> c.signature().name().toString().equals(name)).findFirst().orElseThrow();
    List<AnyValue[]> rows = new ArrayList<>();
    try (ResourceRawIterator<AnyValue[], ProcedureException> it =
        p.apply(null, new AnyValue[] {Values.stringValue(arg)}, null)) {
      while (it.hasNext()) {
        rows.add(it.next());
      }
    }
    return rows;
  }

  private static String text(AnyValue v) {
    return ((TextValue) v).stringValue();
  }

  private static MemberId id(String s) {
    return MemberId.of(s);
  }

  private static final class FakeAdmin implements RaftAdmin {
    private final FakeNode node;
    Duration timeout = Duration.ofSeconds(5);

    FakeAdmin(FakeNode node) {
      this.node = node;
    }

    @Override
    public StatusRow status() {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<MemberRow> members() {
      return List.of(
          new MemberRow("a:7000", "a:7000", "a:7687", "LEADER", true, 10, 0, 0),
          new MemberRow("b:7000", "b:7000", "b:7687", "FOLLOWER", true, 10, 0, 3),
          new MemberRow("c:7000", "c:7000", "c:7687", "FOLLOWER", true, 9, 1, 4));
    }

    @Override
    public long appliedIndex() {
      return 10;
    }

    @Override
    public RaftNode raft() {
      return node;
    }

    @Override
    public String boltAddressOf(String memberId) {
      return BOLT.get(memberId);
    }

    @Override
    public Duration changeTimeout() {
      return timeout;
    }
  }

  private static final class FakeNode implements RaftNode {
    CompletableFuture<Membership> membershipResult = new CompletableFuture<>();
    CompletableFuture<MemberId> transferResult = new CompletableFuture<>();
    MemberId lastTarget;
    int calls;

    @Override
    public CompletableFuture<CommitResult> propose(byte[] payload) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Membership> addMember(MemberId member) {
      calls++;
      lastTarget = member;
      return membershipResult;
    }

    @Override
    public CompletableFuture<Membership> removeMember(MemberId member) {
      calls++;
      lastTarget = member;
      return membershipResult;
    }

    @Override
    public CompletableFuture<MemberId> transferLeadership(MemberId target) {
      calls++;
      lastTarget = target;
      return transferResult;
    }

    @Override
    public Membership membership() {
      throw new UnsupportedOperationException();
    }

    @Override
    public RaftStatus status() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void addListener(RaftListener listener) {}

    @Override
    public void close() {}
  }
}
