package io.graft.plugin.users;

import io.graft.bridge.model.UserRecord;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Transaction;
import org.neo4j.graphdb.event.TransactionData;
import org.neo4j.graphdb.event.TransactionEventListener;
import org.neo4j.kernel.api.exceptions.Status;

/**
 * Listens to the system database's transactions and sends the user changes of each security
 * command through {@link ReplicatedUsers} before it commits. Registered with Neo4j's internal
 * {@code GlobalTransactionEventListeners}, as Neo4j's own system-graph components are: the public
 * {@code DatabaseManagementService.registerTransactionEventListener} refuses the system database
 * (DatabaseManagementServiceImpl.validateDatabaseName). Transactions that touch no user, and the
 * projection's own, pass untouched.
 */
public final class UserCapture implements TransactionEventListener<UserCapture.Held> {
  /** What a command holds between beforeCommit and its end. */
  record Held(ReplicatedUsers users, Set<String> names) {}

  private final Supplier<Optional<ReplicatedUsers>> current;
  private final String database;

  /**
   * @param current the users replication of the running replicated database, empty while it is
   *     not running
   * @param database its name, for the refusal
   */
  public UserCapture(Supplier<Optional<ReplicatedUsers>> current, String database) {
    this.current = current;
    this.database = database;
  }

  @Override
  public Held beforeCommit(TransactionData data, Transaction transaction,
      GraphDatabaseService databaseService) {
    if (ReplicatedUsers.projecting()) {
      return null;
    }
    List<UserRecord> changes = UserChanges.of(data);
    if (changes.isEmpty()) {
      return null;
    }
    ReplicatedUsers users = current.get().orElseThrow(() -> new UserChangeRefused(
        Status.General.DatabaseUnavailable, "graft: users are replicated through the Raft log"
            + " of '" + database + "', which is not running on this member: user changes are"
            + " refused until it runs (on the leader). Nothing was changed."));
    return new Held(users, users.replicate(changes));
  }

  @Override
  public void afterCommit(TransactionData data, Held held, GraphDatabaseService databaseService) {
    if (held != null) {
      held.users().release(held.names());
    }
  }

  @Override
  public void afterRollback(TransactionData data, Held held,
      GraphDatabaseService databaseService) {
    if (held != null) {
      held.users().release(held.names());
    }
  }
}
