package io.graft.plugin.http;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * Answers the health checks ({@code GET|HEAD /db/<db>/cluster/writable|read-only|available|
 * status}) before Neo4j's authorization filter sees them, so load balancers and Kubernetes probes
 * need no credentials (server.raft.health_auth_enabled=false, the default). Neo4j installs its
 * filters on every context in the order they were added, and graft adds this one before the web
 * server starts its modules, so it runs first; every other request passes through untouched and
 * meets Neo4j's authentication as usual.
 */
final class HealthProbeFilter implements Filter {
  private final GraftHttp http;

  HealthProbeFilter(GraftHttp http) {
    this.http = http;
  }

  @Override
  public void init(FilterConfig config) {}

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (req instanceof HttpServletRequest request && res instanceof HttpServletResponse response
        && ("GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod()))) {
      Optional<GraftHttp.Reply> reply = http.healthForPath(path(request));
      if (reply.isPresent()) {
        write(reply.get(), response, "HEAD".equals(request.getMethod()));
        return;
      }
    }
    chain.doFilter(req, res);
  }

  private static String path(HttpServletRequest request) {
    return nullToEmpty(request.getContextPath()) + nullToEmpty(request.getServletPath())
        + nullToEmpty(request.getPathInfo());
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  static void write(GraftHttp.Reply reply, HttpServletResponse response, boolean headOnly)
      throws IOException {
    response.setStatus(reply.status());
    response.setContentType(reply.contentType());
    for (Map.Entry<String, String> h : reply.headers().entrySet()) {
      response.setHeader(h.getKey(), h.getValue());
    }
    response.setContentLength(reply.body().length);
    if (!headOnly) {
      response.getOutputStream().write(reply.body());
    }
    response.flushBuffer();
  }

  @Override
  public void destroy() {}
}
