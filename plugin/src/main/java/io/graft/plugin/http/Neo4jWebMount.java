package io.graft.plugin.http;

import java.util.List;
import org.neo4j.configuration.Config;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.logging.InternalLog;
import org.neo4j.server.web.Injectable;
import org.neo4j.server.web.JettyWebServer;
import org.neo4j.server.web.WebServer;

/**
 * Puts {@link GraftHttp} on Neo4j's own HTTP(S) connector, so health checks, metrics and the view
 * live at the address operators already use (plugin/README.md "Monitoring" has the evidence).
 *
 * <p>Neo4j 5.26's {@code CommunityNeoWebServer} creates its {@link JettyWebServer} in its
 * lifecycle's init and publishes it as a global dependency; its start then adds the modules'
 * JAX-RS classes and filters and starts Jetty. Global extensions come before the web server in
 * the DBMS lifecycle, so graft's extension start runs after the web server exists and before it
 * starts, which is when {@code addJAXRSClasses}/{@code addFilter} take effect (they are read when
 * Jetty starts). Nothing here uses reflection: these are the same public calls Neo4j's own
 * modules make ({@code TransactionModule}, {@code AuthorizationModule}).
 */
public final class Neo4jWebMount {
  /** Where metrics and the view are mounted. */
  public static final String GRAFT_MOUNT = "/graft";

  private Neo4jWebMount() {}

  /**
   * Mounts graft's endpoints; false (with the reason logged) when the web server already runs.
   *
   * @param healthAuth when true the health checks go through Neo4j's authentication like
   *     everything else; when false a filter ahead of it answers them
   */
  public static boolean install(WebServer webServer, GraftHttp http, boolean healthAuth,
      InternalLog log) {
    if (webServer instanceof JettyWebServer jetty && jetty.getJetty() != null) {
      log.warn("graft: Neo4j's web server is already running; the health endpoints, metrics and"
          + " cluster view are not mounted");
      return false;
    }
    List<Injectable<?>> injectables = List.of(Injectable.injectable(GraftHttp.class, http));
    if (!healthAuth) {
      webServer.addFilter(new HealthProbeFilter(http), "/*");
    }
    webServer.addJAXRSClasses(List.of(ClusterHealthResource.class), http.dbApiPath(),
        injectables);
    webServer.addJAXRSClasses(List.of(GraftResource.class), GRAFT_MOUNT, injectables);
    log.info("graft: health endpoints at %s/<db>/cluster/{writable,read-only,available,status}"
        + " (%s), metrics at %s/metrics, cluster view at %s/view", http.dbApiPath(),
        healthAuth ? "authenticated" : "no authentication", GRAFT_MOUNT, GRAFT_MOUNT);
    return true;
  }

  /**
   * This member's HTTP base URL from Neo4j's connector settings ({@code http://} preferred), or
   * null when neither connector is on or the advertised port is not known yet (port 0).
   */
  public static String selfUrl(Config config) {
    if (config.get(HttpConnector.enabled)) {
      return url("http", config.get(HttpConnector.advertised_address));
    }
    if (config.get(HttpsConnector.enabled)) {
      return url("https", config.get(HttpsConnector.advertised_address));
    }
    return null;
  }

  private static String url(String scheme, SocketAddress a) {
    if (a == null || a.getPort() <= 0) {
      return null;
    }
    String host = a.getHostname();
    return scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }
}
