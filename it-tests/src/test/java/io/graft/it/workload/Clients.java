package io.graft.it.workload;

import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.neo4j.driver.AccessMode;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Bookmark;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logging;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;

/**
 * Driver plumbing shared by the workloads: bounded timeouts everywhere (a hung member must turn
 * into an "unknown" operation, not a hung test), and a place to collect the bookmarks of every
 * write so final reads on each member wait until that member has applied all of them.
 */
final class Clients {

  private final Set<Bookmark> bookmarks = new HashSet<>();

  private Clients() {
  }

  static Clients create() {
    return new Clients();
  }

  /**
   * A driver for {@code uri}. {@code retry} is the managed-transaction retry budget: zero for
   * workloads that must know whether each attempt took effect (a retried compare-and-set could
   * apply twice and report the second attempt's answer).
   */
  static Driver driver(URI uri, Duration retry) {
    Config config = Config.builder()
        .withMaxTransactionRetryTime(retry.toMillis(), TimeUnit.MILLISECONDS)
        .withConnectionTimeout(5, TimeUnit.SECONDS)
        .withConnectionAcquisitionTimeout(10, TimeUnit.SECONDS)
        .withLogging(Logging.none())
        .build();
    return GraphDatabase.driver(uri, AuthTokens.none(), config);
  }

  /**
   * The database every workload uses (graft's default {@code server.raft.database}; the single
   * server's default too). Sessions NAME it, as Neo4j advises for clusters: a {@code neo4j://}
   * session without a database resolves the user's home database through the driver's seed
   * ALONE whenever its table is stale (bolt-connection-routed {@code RoutingTableRegistryImpl
   * .ensureDatabaseNameIsCompleted}: a fresh table with no routers), so with the seed killed or
   * cut off every write failed with "Could not perform discovery for database '<default
   * database>'" although the driver knew four live routers (FiveMemberFaultsIT).
   */
  static final String DATABASE = "neo4j";

  static Session writeSession(Driver driver) {
    return driver.session(SessionConfig.builder().withDatabase(DATABASE)
        .withDefaultAccessMode(AccessMode.WRITE).build());
  }

  static Session readSession(Driver driver, Collection<Bookmark> bookmarks) {
    return driver.session(SessionConfig.builder().withDatabase(DATABASE)
        .withDefaultAccessMode(AccessMode.READ).withBookmarks(Set.copyOf(bookmarks)).build());
  }

  /** Remembers the bookmarks a writer session ended with. */
  synchronized void remember(Session session) {
    bookmarks.addAll(session.lastBookmarks());
  }

  /** Remembers bookmarks obtained elsewhere (e.g. from a session already closed). */
  synchronized void remember(Set<Bookmark> more) {
    bookmarks.addAll(more);
  }

  synchronized Set<Bookmark> bookmarks() {
    return Set.copyOf(bookmarks);
  }
}
