package io.graft.procedures;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.neo4j.internal.kernel.api.exceptions.ProcedureException;
import org.neo4j.internal.kernel.api.security.AuthSubject;
import org.neo4j.internal.kernel.api.security.SecurityContext;
import org.neo4j.kernel.api.exceptions.Status;

/**
 * Who may change the Raft membership or move leadership ({@code raft.addMember},
 * {@code raft.removeMember}, {@code raft.transferLeadership}).
 *
 * <p>Neo4j Community has no roles: every authenticated user with a current password gets full
 * access, and Neo4j's own admin-procedure check lets any of them through. Reconfiguring the
 * cluster is an operator's act, so graft keeps its own list of user names
 * ({@code server.raft.admin_users}, default {@code neo4j}). With authentication off there is no
 * user to check and every caller may, as for every other Neo4j admin procedure.
 */
public final class ClusterAdminAccess {
  /** The setting that names the users; the message points the operator at it. */
  public static final String SETTING = "server.raft.admin_users";

  public static final ClusterAdminAccess DEFAULT = new ClusterAdminAccess(List.of("neo4j"));

  private final Set<String> users;

  public ClusterAdminAccess(Collection<String> users) {
    this.users = new TreeSet<>(users);
  }

  public Set<String> users() {
    return Set.copyOf(users);
  }

  /**
   * Passes when authentication is off or the session's user is listed; otherwise fails with
   * {@code Neo.ClientError.Security.Forbidden}, naming the user, the procedure and the setting.
   *
   * @param security the caller's security context; null only for a call made in-process
   *     without a session (unit tests), which is trusted like authentication off
   */
  public void check(String procedure, SecurityContext security) throws ProcedureException {
    check(procedure, security, "change the Raft membership or leadership");
  }

  /**
   * As {@link #check(String, SecurityContext)}, for an operator-only procedure that does
   * {@code what} (e.g. "read the whole graph": a full scan no ordinary user may start at will).
   */
  public void check(String procedure, SecurityContext security, String what)
      throws ProcedureException {
    if (security == null || security.subject() == AuthSubject.AUTH_DISABLED) {
      return;
    }
    String user = security.subject().executingUser();
    if (user != null && users.contains(user)) {
      return;
    }
    throw new ProcedureException(Status.Security.Forbidden,
        "%s: user '%s' is not allowed to %s; only the users named in %s (now %s) may. Neo4j "
            + "Community has no roles, so graft keeps this list itself; set it in neo4j.conf on "
            + "every member", procedure, user == null ? "" : user, what, SETTING, users);
  }
}
