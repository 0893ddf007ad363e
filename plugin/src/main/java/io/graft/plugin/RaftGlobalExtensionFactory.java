package io.graft.plugin;

import java.time.Duration;
import org.neo4j.configuration.Config;
import org.neo4j.dbms.database.SystemGraphComponents;
import org.neo4j.exceptions.UnsatisfiedDependencyException;
import org.neo4j.kernel.api.procedure.GlobalProcedures;
import org.neo4j.kernel.extension.ExtensionFactory;
import org.neo4j.kernel.extension.ExtensionType;
import org.neo4j.kernel.extension.context.ExtensionContext;
import org.neo4j.kernel.lifecycle.Lifecycle;
import org.neo4j.kernel.lifecycle.LifecycleAdapter;
import org.neo4j.logging.internal.LogService;
import org.neo4j.server.web.WebServer;

/**
 * GLOBAL extension: reads and validates {@code server.raft.*}, publishes the {@link Wiring} as a
 * global dependency for the database extension, and registers the {@code raft.*} procedures.
 * Everything happens in {@code newInstance}/{@code init}, which run before any database starts.
 * With {@code server.raft.enabled=false} it does nothing else.
 */
public final class RaftGlobalExtensionFactory
    extends ExtensionFactory<RaftGlobalExtensionFactory.Dependencies> {

  /** Resolved lazily by return type from the global dependency resolver. */
  public interface Dependencies {
    Config config();

    GlobalProcedures globalProcedures();

    LogService logService();

    SystemGraphComponents systemGraphComponents();

    /** Neo4j's Jetty web server; unsatisfied when both HTTP connectors are off. */
    WebServer webServer();
  }

  /** How long a new server that joins a running cluster waits to learn its database identity. */
  static final Duration JOIN_IDENTITY_TIMEOUT = Duration.ofMinutes(10);

  public RaftGlobalExtensionFactory() {
    super(ExtensionType.GLOBAL, "graft-raft");
  }

  @Override
  public Lifecycle newInstance(ExtensionContext context, Dependencies deps) {
    Wiring wiring = new Wiring(deps.config(), deps.logService().getInternalLogProvider(),
        deps.logService().getUserLog(RaftGlobalExtensionFactory.class));
    context.dependencySatisfier().satisfyDependency(wiring);
    return new LifecycleAdapter() {
      @Override
      public void init() throws Exception {
        if (wiring.enabled()) {
          wiring.registerProcedures(deps.globalProcedures());
          // Before the system database starts: the replicated database is created with the
          // cluster-wide identity (plugin/README.md "Bootstrap").
          RaftPluginConfig c = wiring.config();
          var identityLog = deps.logService().getInternalLog(DatabaseIdentityComponent.class);
          JoinerIdentity identity = new JoinerIdentity(c, JOIN_IDENTITY_TIMEOUT,
              Duration.ofSeconds(1), line -> identityLog.info(line), wiring.clusterTls());
          InternalsAccess.registerSystemGraphComponent(
              deps.systemGraphComponents(),
              new DatabaseIdentityComponent(c.database(), identity::resolve, identityLog));
        }
      }

      /**
       * After every init (the web server's included, which creates Jetty) and before the web
       * server's start, which reads what is mounted (Neo4jWebMount).
       */
      @Override
      public void start() {
        if (!wiring.enabled()) {
          return;
        }
        WebServer webServer;
        try {
          webServer = deps.webServer();
        } catch (UnsatisfiedDependencyException e) {
          deps.logService().getInternalLog(RaftGlobalExtensionFactory.class).warn("graft: Neo4j"
              + " serves no HTTP (server.http.enabled and server.https.enabled are off), so the"
              + " health endpoints, /graft/metrics and /graft/view are not available");
          return;
        }
        wiring.mountWeb(webServer);
      }
    };
  }
}
