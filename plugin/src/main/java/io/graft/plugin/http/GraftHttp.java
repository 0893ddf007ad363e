package io.graft.plugin.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * graft's HTTP surface, independent of the web server that carries it ({@link Neo4jWebMount}
 * puts it on Neo4j's own HTTP connector):
 *
 * <ul>
 *   <li>{@code GET /db/<db>/cluster/writable | read-only | available}: 200 {@code true} or 404
 *       {@code false}, Neo4j Enterprise's load-balancer endpoints ({@link MemberHealth});
 *   <li>{@code GET /db/<db>/cluster/status}: the JSON status document ({@link StatusDocument});
 *   <li>{@code GET /graft/metrics}: Prometheus text format ({@link MetricsExport});
 *   <li>{@code GET /graft/view}: the live cluster view, one self-contained HTML page.
 * </ul>
 *
 * Every answer is computed from one {@link MemberState} read at request time; nothing is cached.
 */
public final class GraftHttp {
  /** The health checks under {@code /db/<db>/cluster/}. */
  static final Pattern HEALTH_PATH =
      Pattern.compile("^(/.*)?/([^/]+)/cluster/(writable|read-only|available|status)/?$");
  static final String TEXT = "text/plain; charset=utf-8";
  static final String JSON = "application/json; charset=utf-8";
  static final String HTML = "text/html; charset=utf-8";

  /** An HTTP answer: status code, content type, body, extra headers. */
  public record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
    static Reply of(int status, String contentType, String body, Map<String, String> headers) {
      return new Reply(status, contentType, body.getBytes(StandardCharsets.UTF_8), headers);
    }
  }

  private final String dbApiPath;
  private final Supplier<MemberState> state;
  private final long maxApplyLag;
  private final String corsOrigin;
  private final LongSupplier clockMillis;
  private final String viewTemplate;

  /**
   * @param dbApiPath where Neo4j mounts its database endpoints ({@code /db})
   * @param maxApplyLag entries an available member's applied index may trail its commit index
   * @param corsOrigin Access-Control-Allow-Origin for the public endpoints (Neo4j's
   *     {@code dbms.security.http_access_control_allow_origin}), null for none
   */
  public GraftHttp(String dbApiPath, Supplier<MemberState> state, long maxApplyLag,
      String corsOrigin, LongSupplier clockMillis) {
    this.dbApiPath = dbApiPath.endsWith("/")
        ? dbApiPath.substring(0, dbApiPath.length() - 1) : dbApiPath;
    this.state = state;
    this.maxApplyLag = maxApplyLag;
    this.corsOrigin = corsOrigin == null || corsOrigin.isBlank() ? null : corsOrigin;
    this.clockMillis = clockMillis;
    this.viewTemplate = resource("cluster-view.html");
  }

  public String dbApiPath() {
    return dbApiPath;
  }

  /**
   * The health answer for a full request path such as {@code /db/neo4j/cluster/writable}, or
   * empty when the path is not a health check under this server's database API path.
   */
  public Optional<Reply> healthForPath(String path) {
    if (path == null) {
      return Optional.empty();
    }
    Matcher m = HEALTH_PATH.matcher(path);
    if (!m.matches() || !dbApiPath.equals(m.group(1) == null ? "" : m.group(1))) {
      return Optional.empty();
    }
    return Optional.of(health(m.group(2), m.group(3)));
  }

  /** {@code check}: writable, read-only, available or status. */
  public Reply health(String database, String check) {
    MemberState s = state.get();
    if (!s.database().equals(database)) {
      String why = "'" + database + "' is not replicated by graft on this server (it replicates '"
          + s.database() + "')";
      return "status".equals(check)
          ? Reply.of(404, JSON, Json.write(Map.of("error", why)), publicHeaders())
          : Reply.of(404, TEXT, "false", publicHeaders());
    }
    MemberHealth h = MemberHealth.of(s, maxApplyLag);
    boolean ok;
    switch (check) {
      case "writable" -> ok = h.writable();
      case "read-only" -> ok = h.readOnly();
      case "available" -> ok = h.available();
      case "status" -> {
        return Reply.of(200, JSON, Json.write(StatusDocument.of(s, h, clockMillis.getAsLong())),
            publicHeaders());
      }
      default -> {
        return Reply.of(404, TEXT, "no such check: " + check, publicHeaders());
      }
    }
    return Reply.of(ok ? 200 : 404, TEXT, ok ? "true" : "false", publicHeaders());
  }

  /** Prometheus text format, one scrape. */
  public Reply metrics() {
    MemberState s = state.get();
    MetricFamilies families = new MetricFamilies();
    MetricsExport.collect(s, MemberHealth.of(s, maxApplyLag), families);
    return new Reply(200, MetricFamilies.CONTENT_TYPE, families.text(), noStore());
  }

  /** The live cluster view. */
  public Reply view() {
    String page = viewTemplate
        .replace("__GRAFT_DATABASE__", Json.write(state.get().database()))
        .replace("__GRAFT_DB_API_PATH__", Json.write(dbApiPath));
    return Reply.of(200, HTML, page, noStore());
  }

  private Map<String, String> publicHeaders() {
    Map<String, String> headers = new LinkedHashMap<>(noStore());
    if (corsOrigin != null) {
      // The cluster view, loaded from one member, polls every member's status document.
      headers.put("Access-Control-Allow-Origin", corsOrigin);
    }
    return headers;
  }

  private static Map<String, String> noStore() {
    return Map.of("Cache-Control", "no-store");
  }

  private static String resource(String name) {
    try (InputStream in = GraftHttp.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("graft: missing resource " + name + " in the plugin jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
