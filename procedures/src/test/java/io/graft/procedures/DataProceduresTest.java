package io.graft.procedures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.CommitResult;
import io.graft.raft.api.ForcedCluster;
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
import org.neo4j.internal.kernel.api.connectioninfo.ClientConnectionInfo;
import org.neo4j.internal.kernel.api.exceptions.ProcedureException;
import org.neo4j.internal.kernel.api.security.AccessMode;
import org.neo4j.internal.kernel.api.security.AuthSubject;
import org.neo4j.internal.kernel.api.security.AuthenticationResult;
import org.neo4j.internal.kernel.api.security.SecurityContext;
import org.neo4j.kernel.api.exceptions.Status;
import org.neo4j.kernel.api.procedure.CallableProcedure;
import org.neo4j.kernel.api.procedure.Context;
import org.neo4j.procedure.Mode;
import org.neo4j.values.AnyValue;
import org.neo4j.values.storable.TextValue;
import org.neo4j.values.storable.Values;
import org.neo4j.values.virtual.ListValue;
import org.neo4j.values.virtual.MapValueBuilder;

/**
 * raft.backup and raft.forceNewCluster as procedures: the fixed yields, the admin check (a user
 * not in server.raft.admin_users is forbidden before anything happens), the options, and a
 * message that says what to do for every refusal.
 */
class DataProceduresTest {
  /** The reasons only forceNewCluster gives (MembershipProceduresTest skips them). */
  static final Set<Reason> FORCE_ONLY =
      Set.of(Reason.LEADER_KNOWN, Reason.QUORUM_REACHABLE, Reason.NOT_A_VOTER);

  private final FakeNode node = new FakeNode();
  private final FakeAdmin admin = new FakeAdmin(node);
  private final ClusterAdminAccess access = new ClusterAdminAccess(List.of("neo4j"));

  @Test
  void signaturesHaveTheContractsColumns() {
    CallableProcedure backup = DataProcedures.backup(() -> Optional.of(admin), access);
    assertThat(backup.signature().admin()).isTrue();
    assertThat(backup.signature().mode()).isEqualTo(Mode.DBMS);
    assertThat(backup.signature().outputSignature()).extracting(f -> f.name())
        .containsExactly("directory", "appliedIndex", "lastTxId", "bytes", "millis");
    assertThat(backup.signature().inputSignature()).extracting(f -> f.name())
        .containsExactly("directory", "options");
    CallableProcedure force = DataProcedures.forceNewCluster(() -> Optional.of(admin), access);
    assertThat(force.signature().admin()).isTrue();
    assertThat(force.signature().outputSignature()).extracting(f -> f.name()).containsExactly(
        "memberId", "term", "previousVoters", "knownCommittedIndex", "lastLogIndex",
        "uncertainEntries", "message");
  }

  @Test
  void backupReturnsItsRowAndPassesTheDumpOption() throws Exception {
    admin.backupRow = new BackupRow("/b/1", 42, 17, 1234, 56, null);
    AnyValue[] row = call(DataProcedures.backup(() -> Optional.of(admin), access), null,
        Values.stringValue(" /b/1 "), options(Map.of("dump", Values.TRUE))).get(0);
    assertThat(admin.lastDirectory).isEqualTo("/b/1");
    assertThat(admin.lastDump).isTrue();
    assertThat(((TextValue) row[0]).stringValue()).isEqualTo("/b/1");
    assertThat(row[1]).isEqualTo(Values.longValue(42));
    assertThat(row[2]).isEqualTo(Values.longValue(17));
    assertThat(row[3]).isEqualTo(Values.longValue(1234));
    assertThat(row[4]).isEqualTo(Values.longValue(56));
    call(DataProcedures.backup(() -> Optional.of(admin), access), null, Values.stringValue("/b/2"),
        options(Map.of()));
    assertThat(admin.lastDump).isFalse();
  }

  @Test
  void backupRefusalsSayWhyAndPassThroughTheDirectoryRefusal() {
    CallableProcedure backup = DataProcedures.backup(() -> Optional.of(admin), access);
    assertThatThrownBy(() -> call(backup, null, Values.stringValue(" "), options(Map.of())))
        .hasMessageContaining("name the directory");
    assertThatThrownBy(() -> call(backup, null, Values.stringValue("/b"),
        options(Map.of("dmup", Values.TRUE)))).hasMessageContaining("unknown option 'dmup'");
    assertThatThrownBy(() -> call(backup, null, Values.stringValue("/b"),
        options(Map.of("dump", Values.stringValue("yes"))))).hasMessageContaining("true or false");
    admin.backupFailure = new IllegalArgumentException("raft.backup: /b exists and is not empty;"
        + " a backup never overwrites anything");
    assertThatThrownBy(() -> call(backup, null, Values.stringValue("/b"), options(Map.of())))
        .isInstanceOf(ProcedureException.class)
        .hasMessageContaining("exists and is not empty");
    admin.backupFailure = new java.io.IOException("disk full");
    assertThatThrownBy(() -> call(backup, null, Values.stringValue("/b"), options(Map.of())))
        .hasMessageContaining("failed, nothing was kept").hasMessageContaining("disk full");
  }

  @Test
  void aUserNotInAdminUsersIsForbiddenBeforeAnythingHappens() {
    for (CallableProcedure p : DataProcedures.all(() -> Optional.of(admin), access)) {
      assertThatThrownBy(() -> call(p, session("reader"), Values.stringValue("/b"),
          options(Map.of())))
          .as(p.signature().name().toString())
          .isInstanceOf(ProcedureException.class)
          .satisfies(e -> assertThat(((ProcedureException) e).status())
              .isEqualTo(Status.Security.Forbidden))
          .hasMessageContaining("'reader'")
          .hasMessageContaining("server.raft.admin_users");
    }
    assertThat(admin.lastDirectory).isNull();
    assertThat(node.forceCalls).isZero();
  }

  @Test
  void forceNewClusterReportsWhatMayBeLost() throws Exception {
    node.forceResult = CompletableFuture.completedFuture(new ForcedCluster(MemberId.of("a:7000"),
        9, 0x1234, Set.of(MemberId.of("a:7000"), MemberId.of("b:7000"), MemberId.of("c:7000")),
        Set.of(), 100, 103, 104));
    AnyValue[] row = call(DataProcedures.forceNewCluster(() -> Optional.of(admin), access),
        null).get(0);
    assertThat(((TextValue) row[0]).stringValue()).isEqualTo("a:7000");
    assertThat(row[1]).isEqualTo(Values.longValue(9));
    assertThat(((ListValue) row[2]).actualSize()).isEqualTo(3);
    assertThat(row[3]).isEqualTo(Values.longValue(100));
    assertThat(row[4]).isEqualTo(Values.longValue(103));
    assertThat(row[5]).isEqualTo(Values.longValue(3));
    assertThat(((TextValue) row[6]).stringValue()).contains("FORCED A NEW CLUSTER")
        .contains("101..103").contains("LOST").contains("raft.addMember");
  }

  @Test
  void everyForceRefusalSaysWhatToDo() {
    Map<Reason, String> expected = Map.of(
        Reason.LEADER_KNOWN, "still has a leader",
        Reason.QUORUM_REACHABLE, "majority of the voters may still be reachable",
        Reason.NOT_A_VOTER, "not a voter");
    for (Reason reason : FORCE_ONLY) {
      node.forceResult = CompletableFuture.failedFuture(
          new MembershipChangeException(reason, "core says " + reason));
      assertThatThrownBy(() -> call(DataProcedures.forceNewCluster(() -> Optional.of(admin),
          access), null))
          .as(reason.name()).isInstanceOf(ProcedureException.class)
          .hasMessageContaining(expected.get(reason))
          .hasMessageContaining("core says " + reason)
          .hasMessageContaining("raft.forceNewCluster");
    }
  }

  private static AnyValue options(Map<String, AnyValue> entries) {
    MapValueBuilder b = new MapValueBuilder();
    entries.forEach(b::add);
    return b.build();
  }

  private static List<AnyValue[]> call(CallableProcedure p, SecurityContext security,
      AnyValue... input) throws ProcedureException {
    Context ctx = security == null ? null : (Context) java.lang.reflect.Proxy.newProxyInstance(
        Context.class.getClassLoader(), new Class<?>[] {Context.class},
        (proxy, method, args) -> {
          if (method.getName().equals("securityContext")) {
            return security;
          }
          throw new UnsupportedOperationException(method.getName());
        });
    List<AnyValue[]> rows = new ArrayList<>();
    try (ResourceRawIterator<AnyValue[], ProcedureException> it = p.apply(ctx, input, null)) {
      while (it.hasNext()) {
        rows.add(it.next());
      }
    }
    return rows;
  }

  private static SecurityContext session(String user) {
    AuthSubject subject = new AuthSubject() {
      @Override
      public AuthenticationResult getAuthenticationResult() {
        return AuthenticationResult.SUCCESS;
      }

      @Override
      public boolean hasUsername(String username) {
        return user.equals(username);
      }

      @Override
      public String executingUser() {
        return user;
      }
    };
    return new SecurityContext(subject, AccessMode.Static.FULL,
        ClientConnectionInfo.EMBEDDED_CONNECTION, "neo4j");
  }

  private static final class FakeAdmin implements RaftAdmin {
    private final FakeNode node;
    BackupRow backupRow = new BackupRow("/x", 1, 1, 1, 1, null);
    Exception backupFailure;
    String lastDirectory;
    boolean lastDump;

    FakeAdmin(FakeNode node) {
      this.node = node;
    }

    @Override
    public BackupRow backup(String directory, boolean dump) throws Exception {
      lastDirectory = directory;
      lastDump = dump;
      if (backupFailure != null) {
        throw backupFailure;
      }
      return backupRow;
    }

    @Override
    public StatusRow status() {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<MemberRow> members() {
      return List.of();
    }

    @Override
    public long appliedIndex() {
      return 0;
    }

    @Override
    public RaftNode raft() {
      return node;
    }

    @Override
    public String boltAddressOf(String memberId) {
      return null;
    }

    @Override
    public Duration changeTimeout() {
      return Duration.ofSeconds(5);
    }
  }

  private static final class FakeNode implements RaftNode {
    CompletableFuture<ForcedCluster> forceResult = new CompletableFuture<>();
    int forceCalls;

    @Override
    public CompletableFuture<ForcedCluster> forceNewCluster() {
      forceCalls++;
      return forceResult;
    }

    @Override
    public CompletableFuture<CommitResult> propose(byte[] payload) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Membership> addMember(MemberId member) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Membership> removeMember(MemberId member) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<MemberId> transferLeadership(MemberId target) {
      throw new UnsupportedOperationException();
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
