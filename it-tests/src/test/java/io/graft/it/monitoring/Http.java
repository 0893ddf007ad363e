package io.graft.it.monitoring;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain HTTP client, as a load balancer or Prometheus is: GET, status code, body. */
final class Http {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  record Answer(int code, String body, String contentType) {}

  private Http() {}

  /** The answer, or code -1 when nothing answers (connection refused, timeout). */
  static Answer get(String url) {
    try {
      HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(url))
          .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body(),
          r.headers().firstValue("Content-Type").orElse(""));
    } catch (IOException e) {
      return new Answer(-1, e.toString(), "");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(-1, "interrupted", "");
    }
  }
}
