package io.graft.procedures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.neo4j.internal.kernel.api.connectioninfo.ClientConnectionInfo;
import org.neo4j.internal.kernel.api.exceptions.ProcedureException;
import org.neo4j.internal.kernel.api.security.AccessMode;
import org.neo4j.internal.kernel.api.security.AuthSubject;
import org.neo4j.internal.kernel.api.security.AuthenticationResult;
import org.neo4j.internal.kernel.api.security.SecurityContext;
import org.neo4j.kernel.api.exceptions.Status;

class ClusterAdminAccessTest {
  private final ClusterAdminAccess access = new ClusterAdminAccess(List.of("neo4j", "ops"));

  @Test
  void listedUsersPassAndAuthDisabledPasses() {
    assertThatCode(() -> access.check("raft.addMember", session("neo4j")))
        .doesNotThrowAnyException();
    assertThatCode(() -> access.check("raft.addMember", session("ops")))
        .doesNotThrowAnyException();
    assertThatCode(() -> access.check("raft.addMember", SecurityContext.AUTH_DISABLED))
        .doesNotThrowAnyException();
  }

  @Test
  void anyOtherUserIsForbiddenWithAMessageNamingTheSetting() {
    // Community gives every user FULL access, so Neo4j itself would let "reader" through.
    assertThatThrownBy(() -> access.check("raft.removeMember", session("reader")))
        .isInstanceOf(ProcedureException.class)
        .satisfies(e -> assertThat(((ProcedureException) e).status())
            .isEqualTo(Status.Security.Forbidden))
        .hasMessageContaining("raft.removeMember")
        .hasMessageContaining("'reader'")
        .hasMessageContaining("server.raft.admin_users")
        .hasMessageContaining("[neo4j, ops]");
  }

  @Test
  void operatorOnlyReadProceduresNameWhatTheyDo() {
    assertThatThrownBy(() -> access.check("raft.digest", session("reader"),
        "read the whole graph"))
        .isInstanceOf(ProcedureException.class)
        .hasMessageContaining("raft.digest: user 'reader' is not allowed to read the whole graph")
        .hasMessageContaining("server.raft.admin_users");
    assertThatCode(() -> access.check("raft.digest", session("ops"), "read the whole graph"))
        .doesNotThrowAnyException();
    assertThatCode(() -> access.check("raft.digest", SecurityContext.AUTH_DISABLED, "x"))
        .doesNotThrowAnyException();
  }

  @Test
  void theDefaultListIsTheBuiltInAdmin() {
    assertThat(ClusterAdminAccess.DEFAULT.users()).containsExactly("neo4j");
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
}
