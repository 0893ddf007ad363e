package io.graft.cluster;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A member's health endpoints over plain HTTP, as a load balancer sees them: {@code
 * /db/neo4j/cluster/writable}, {@code read-only} and {@code available}, each 200 or 404.
 */
public final class HealthCheck {
  public static final String[] CHECKS = {"writable", "read-only", "available"};
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  private HealthCheck() {}

  /** The member's HTTP base URL. */
  public static String baseUrl(MemberSpec spec) {
    return "http://" + MemberSpec.HOST + ":" + spec.httpPort();
  }

  /** URL of the live cluster view served by that member. */
  public static String viewUrl(MemberSpec spec) {
    return baseUrl(spec) + "/graft/view";
  }

  /** The HTTP status code of {@code GET base + path}, or -1 when nothing answers. */
  public static int code(String url) {
    try {
      HttpResponse<Void> r = CLIENT.send(HttpRequest.newBuilder(URI.create(url))
          .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.discarding());
      return r.statusCode();
    } catch (java.io.IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** check name → status code (-1: no answer) for the replicated database {@code database}. */
  public static Map<String, Integer> codes(MemberSpec spec, String database) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (String check : CHECKS) {
      out.put(check, code(baseUrl(spec) + "/db/" + database + "/cluster/" + check));
    }
    return out;
  }
}
