package io.graft.plugin;

import io.graft.plugin.http.GraftHttp;
import io.graft.plugin.http.MemberState;
import io.graft.plugin.http.Neo4jWebMount;
import io.graft.plugin.routing.BoltAddressBook;
import io.graft.plugin.routing.GraftRoutingTableProvider;
import io.graft.plugin.routing.RaftRoutingTable;
import io.graft.plugin.users.UserCapture;
import io.graft.procedures.ClusterAdminAccess;
import io.graft.procedures.RaftAdmin;
import io.graft.procedures.RaftProcedures;
import io.graft.raft.api.RaftNode;
import io.graft.raft.api.SnapshotSupport;
import io.graft.raft.api.StateMachine;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.StreamSupport;
import org.neo4j.configuration.Config;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.dbms.routing.RoutingService;
import org.neo4j.kernel.api.procedure.CallableProcedure;
import org.neo4j.kernel.api.procedure.GlobalProcedures;
import org.neo4j.kernel.database.Database;
import org.neo4j.kernel.internal.event.GlobalTransactionEventListeners;
import org.neo4j.logging.InternalLog;
import org.neo4j.logging.InternalLogProvider;
import org.neo4j.server.configuration.ServerSettings;
import org.neo4j.server.web.WebServer;
import org.neo4j.storageengine.api.TransactionIdStore;

/**
 * The composition root: one per DBMS (created by the global extension, published as a global
 * dependency so the database extension finds it; no static state, because an embedded test JVM
 * runs several DBMSs). Maps settings once, registers the procedures, and starts/stops graft for
 * the configured database.
 */
public final class Wiring {
  private final RaftPluginConfig config;
  private final InternalLog log;
  private final InternalLog userLog;
  private final BoltAddressBook boltAddresses;
  private final long routingTtlMillis;
  private final ClusterAdminAccess adminAccess;
  /** Mutual TLS of the Raft links (dbms.ssl.policy.cluster), or null: plaintext. */
  private final ClusterTls tls;
  /** Shown at startup and in raft.status(): e.g. an exposed Raft port without TLS. */
  private final List<String> securityWarnings;
  private final String selfHttp;
  private final GraftHttp http;
  private final boolean healthAuth;
  private volatile DatabaseBridge running;
  private UserCapture userCapture;
  /** Set while a snapshot install stops and starts the database under the running bridge. */
  private final AtomicBoolean restarting = new AtomicBoolean();

  /**
   * @param logs the debug log's provider
   * @param userLog neo4j.log, for what an operator must see (a member that stopped)
   */
  Wiring(Config neo4jConfig, InternalLogProvider logs, InternalLog userLog) {
    this.config = RaftPluginConfig.from(neo4jConfig);
    this.log = logs.getLog(RaftGlobalExtensionFactory.class);
    this.userLog = userLog;
    this.selfHttp = Neo4jWebMount.selfUrl(neo4jConfig);
    this.boltAddresses = new BoltAddressBook(config.self(), config.selfBoltAddress(), selfHttp,
        config.boltAddresses());
    this.routingTtlMillis = neo4jConfig.get(RaftSettings.routing_ttl).toMillis();
    this.adminAccess = new ClusterAdminAccess(neo4jConfig.get(RaftSettings.admin_users));
    this.http = new GraftHttp(neo4jConfig.get(ServerSettings.db_api_path).getPath(),
        this::memberState, neo4jConfig.get(RaftSettings.available_max_apply_lag),
        neo4jConfig.get(ServerSettings.http_access_control_allow_origin),
        System::currentTimeMillis);
    this.healthAuth = neo4jConfig.get(RaftSettings.health_auth_enabled)
        && neo4jConfig.get(GraphDatabaseSettings.auth_enabled);
    this.tls = config.enabled() && ClusterTls.enabled(neo4jConfig)
        ? ClusterTls.load(neo4jConfig, logs) : null;
    this.securityWarnings = config.enabled() ? checkTransportSafety(neo4jConfig) : List.of();
  }

  /** Refuses an exposed unauthenticated Raft port (unless allowed), logs the warnings. */
  private List<String> checkTransportSafety(Config neo4jConfig) {
    TransportSafety safety = TransportSafety.assess(config.listenAddress(), config.self(),
        tls != null, tls == null || tls.clientAuthRequired(), tls != null && tls.trustAll(),
        RaftSettings.cluster_id.defaultValue().equals(config.clusterId()),
        neo4jConfig.get(RaftSettings.require_tls));
    if (safety.refusal() != null) {
      throw new IllegalArgumentException(safety.refusal());
    }
    for (String warning : safety.warnings()) {
      log.warn("graft: SECURITY WARNING: %s", warning);
    }
    log.info("graft: Raft transport of %s: %s", config.self(), tls == null
        ? "plaintext (dbms.ssl.policy.cluster is off)" : "mutual TLS, " + tls.describe());
    return safety.warnings();
  }

  /** The Raft links' mutual TLS (dbms.ssl.policy.cluster), or null: plaintext. */
  ClusterTls clusterTls() {
    return tls;
  }

  /** What raft.status() shows in its warnings column. */
  List<String> securityWarnings() {
    return securityWarnings;
  }

  /** This member as the health endpoints, status document and metrics see it right now. */
  MemberState memberState() {
    DatabaseBridge bridge = running;
    if (bridge != null) {
      try {
        return bridge.memberState();
      } catch (RuntimeException e) {
        // stopping under our feet: report it as not running
      }
    }
    return MemberState.notRunning(config.database(), selfHttp);
  }

  /** Mounts the health endpoints, metrics and view on Neo4j's web server (before it starts). */
  void mountWeb(WebServer webServer) {
    Neo4jWebMount.install(webServer, http, healthAuth, log);
  }

  public RaftPluginConfig config() {
    return config;
  }

  public boolean enabled() {
    return config.enabled();
  }

  /** True for the one replicated database; never for {@code system}. */
  boolean replicates(String databaseName) {
    return enabled() && !"system".equals(databaseName) && config.database().equals(databaseName);
  }

  void registerProcedures(GlobalProcedures procedures) throws Exception {
    for (CallableProcedure p : RaftProcedures.all(this::admin, adminAccess,
        this::securityWarnings)) {
      procedures.register(p);
    }
  }

  Optional<RaftAdmin> admin() {
    return Optional.ofNullable(running);
  }

  /**
   * Makes Bolt ROUTE answer with graft's table for the replicated database (docs/NEO4J-INTERNALS.md
   * §6). The RoutingService is a global dependency, but only resolvable through a database's
   * resolver. Installed once per DBMS; the provider reads {@link #running} on every request, so
   * database restarts need no re-install.
   */
  private void installRouting(RoutingService routingService) {
    InternalsAccess.replaceClientSideRouting(routingService, current -> {
      if (current instanceof GraftRoutingTableProvider) {
        return current;
      }
      log.info("graft: neo4j:// routing for '%s' now follows the Raft leader (ttl %d ms)",
          config.database(), routingTtlMillis);
      return new GraftRoutingTableProvider(current, config.database(), this::routingTable,
          this::stoppedBecause);
    });
  }

  Optional<RaftRoutingTable> routingTable() {
    DatabaseBridge bridge = running;
    return bridge == null ? Optional.empty() : Optional.of(bridge.routingTable(routingTtlMillis));
  }

  /** Why graft stopped on this member after a fatal error; empty while it runs. */
  Optional<String> stoppedBecause() {
    DatabaseBridge bridge = running;
    return bridge == null ? Optional.empty() : Optional.ofNullable(bridge.stoppedBecause());
  }

  /**
   * The replicated database's snapshot support (store copy), for the Raft runtime through
   * {@code StateMachine.snapshots()} and for tests; empty while the database is not running.
   */
  public Optional<SnapshotSupport> snapshots() {
    DatabaseBridge bridge = running;
    return bridge == null ? Optional.empty() : Optional.ofNullable(bridge.snapshots());
  }

  /**
   * Before Neo4j recovers the replicated database (its extensions are initialised first): after a
   * failed apply, Neo4j may cut the torn tail of its transaction log ({@link TornTxLogTail}).
   * Returns the setting's value to restore once recovered, or null.
   */
  Boolean beforeRecovery(Database database) throws IOException {
    Boolean before = TornTxLogTail.relaxBeforeRecovery(config.raftDirectory(),
        database.getConfig());
    if (before != null) {
      String message = String.format("graft: an apply to database '%s' failed before the last"
          + " stop (recorded in %s): its recovery may cut the torn tail of Neo4j's transaction"
          + " log (%s=false for this recovery only); graft then checks that nothing durable was"
          + " cut", config.database(), config.raftDirectory().resolve(TornTxLogTail.FILE_NAME),
          TornTxLogTail.SETTING);
      log.warn(message);
      userLog.warn(message);
    }
    return before;
  }

  /**
   * After recovery, if an apply had failed: Neo4j still holds everything that was durable in its
   * log then, or the database refuses to start, saying why and what to do (neo4j.log too).
   */
  private void checkAfterFailedApply(Database database) throws IOException {
    long recovered = database.getDependencyResolver()
        .resolveDependency(TransactionIdStore.class)
        .getLastCommittedTransaction().consensusIndex();
    try {
      String recoveredAfterFailure = TornTxLogTail.checkAfterRecovery(config.raftDirectory(),
          config.database(), recovered);
      if (recoveredAfterFailure != null) {
        log.info(recoveredAfterFailure);
        userLog.info(recoveredAfterFailure);
      }
    } catch (IllegalStateException e) {
      log.error(e.getMessage());
      userLog.error(e.getMessage());
      throw e;
    }
  }

  /** After recovery: the setting as configured again (see {@link #beforeRecovery}). */
  void afterRecovery(Database database, Boolean before) {
    TornTxLogTail.restoreAfterRecovery(database.getConfig(), before);
  }

  /**
   * Around a snapshot install the database restarts under the running bridge; the install holds
   * the state machine's lock, so this path takes no lock of Wiring's (a concurrent DBMS shutdown
   * holding it while it closes the Raft member would otherwise deadlock with the install).
   */
  void startDatabase(Database database) throws Exception {
    DatabaseBridge bridge = running;
    if (restarting.get() && bridge != null) {
      bridge.reattach(database);
      return;
    }
    startFresh(database);
  }

  private synchronized void startFresh(Database database) throws Exception {
    closeRunning();
    checkAfterFailedApply(database);
    running =
        DatabaseBridge.start(config, boltAddresses, database, this::createNode, log, userLog,
            restarting);
    installRouting(database.getDependencyResolver().resolveDependency(RoutingService.class));
    captureUserChanges(database);
  }

  /**
   * From the first start of the replicated database on, every security command on this member's
   * system database goes through the Raft log (UserCapture). Registered once per DBMS; it reads
   * {@link #running} on every command, so database restarts need nothing.
   */
  private void captureUserChanges(Database database) {
    if (userCapture != null) {
      return;
    }
    userCapture = new UserCapture(() -> Optional.ofNullable(running).map(DatabaseBridge::users),
        config.database());
    database.getDependencyResolver().resolveDependency(GlobalTransactionEventListeners.class)
        .registerTransactionEventListener(GraphDatabaseSettings.SYSTEM_DATABASE_NAME,
            userCapture);
    log.info("graft: user changes (CREATE/ALTER/RENAME/DROP USER) are replicated through the Raft"
        + " log of '%s' and made on its leader only", config.database());
  }

  void stopDatabase() {
    DatabaseBridge bridge = running;
    if (restarting.get() && bridge != null) {
      bridge.detach();
      return;
    }
    closeRunning();
  }

  private synchronized void closeRunning() {
    DatabaseBridge bridge = running;
    running = null;
    if (bridge != null) {
      bridge.close();
    }
  }

  /**
   * Builds the node with the lowest-priority {@link RaftNodeFactory} on the class path that accepts
   * the spec, else core-raft's runtime.
   */
  private RaftNode createNode(RaftNodeSpec spec, StateMachine machine) throws Exception {
    ServiceLoader<RaftNodeFactory> loader =
        ServiceLoader.load(RaftNodeFactory.class, RaftNodeFactory.class.getClassLoader());
    RaftNodeFactory factory =
        StreamSupport.stream(loader.spliterator(), false)
            .filter(f -> f.accepts(spec))
            .min(Comparator.comparingInt(RaftNodeFactory::priority))
            .orElseGet(CoreRaftNodeFactory::new);
    log.info("graft: building the Raft member with %s", factory.getClass().getName());
    return factory.create(spec.withTls(tls), machine);
  }
}
