package io.graft.it.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graft.cluster.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Debian's Chromium, headless, driven over the Chrome DevTools Protocol with the JDK's own
 * WebSocket client (no Selenium, no driver download): open a page, evaluate JavaScript in it,
 * take a PNG screenshot. One page stays open across a test, so the page sees what happens to the
 * cluster (a leader kill) the way a person watching it would. Flags as on this kind of machine
 * (/work/.library/env/machines/java-maven.md): no sandbox as root, no background networking.
 */
final class HeadlessChromium implements AutoCloseable {
  static final String BINARY = System.getProperty("graft.chromium", "/usr/bin/chromium");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final WebSocket socket;
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();

  private HeadlessChromium(Process process, WebSocket socket) {
    this.process = process;
    this.socket = socket;
  }

  /** Starts Chromium on {@code url}; fails with the way to install it when it is missing. */
  static HeadlessChromium open(String url, Path profile, int width, int height) {
    if (!Files.isExecutable(Path.of(BINARY))) {
      throw new IllegalStateException("no Chromium at " + BINARY + " (apt-get install -y chromium,"
          + " or -Dgraft.chromium=/path/to/chromium)");
    }
    int port = Ports.freePort();
    List<String> cmd = List.of(BINARY, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--hide-scrollbars",
        "--user-data-dir=" + profile, "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=" + port, "--remote-allow-origins=*",
        "--window-size=" + width + "," + height, url);
    try {
      Files.createDirectories(profile);
      Process process = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(profile.resolve("chromium.log").toFile()).start();
      String ws = pageSocket(port, url, process);
      HeadlessChromium[] self = new HeadlessChromium[1];
      WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
          .buildAsync(URI.create(ws), new Listener(message -> self[0].received(message)))
          .get(10, TimeUnit.SECONDS);
      self[0] = new HeadlessChromium(process, socket);
      return self[0];
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + BINARY, e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot attach to Chromium's DevTools on port " + port, e);
    }
  }

  /** The page's DevTools WebSocket, from the /json/list endpoint, once the page exists. */
  private static String pageSocket(int port, String url, Process process) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Chromium exited with " + process.exitValue());
      }
      try {
        String body = http.send(java.net.http.HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        for (JsonNode target : JSON.readTree(body)) {
          if ("page".equals(target.path("type").asText())
              && target.path("url").asText().startsWith(url.substring(0, url.indexOf("/graft")))) {
            return target.get("webSocketDebuggerUrl").asText();
          }
        }
      } catch (IOException notYet) {
        // DevTools not listening yet
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
    }
    throw new IllegalStateException("Chromium showed no page for " + url + " within 30 s");
  }

  /** Evaluates {@code expression} in the page; returns its value as JSON text. */
  String eval(String expression) {
    JsonNode r = call("Runtime.evaluate", Map.of("expression", "JSON.stringify(" + expression
        + ")", "returnByValue", true));
    JsonNode value = r.path("result").path("value");
    if (r.has("exceptionDetails") || value.isMissingNode()) {
      throw new IllegalStateException("evaluation failed: " + expression + " -> " + r);
    }
    return value.asText();
  }

  /** A PNG of the page as it is now. */
  void screenshot(Path png) {
    JsonNode r = call("Page.captureScreenshot", Map.of("format", "png"));
    try {
      Files.createDirectories(png.getParent());
      Files.write(png, Base64.getDecoder().decode(r.get("data").asText()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private JsonNode call(String method, Map<String, Object> params) {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    try {
      socket.sendText(JSON.writeValueAsString(Map.of("id", id, "method", method,
          "params", params)), true).get(10, TimeUnit.SECONDS);
      JsonNode reply = answer.get(20, TimeUnit.SECONDS);
      if (reply.has("error")) {
        throw new IllegalStateException(method + " failed: " + reply.get("error"));
      }
      return reply.get("result");
    } catch (Exception e) {
      throw new IllegalStateException("DevTools call " + method + " failed", e);
    } finally {
      pending.remove(id);
    }
  }

  private void received(String message) {
    try {
      JsonNode node = JSON.readTree(message);
      if (node.has("id")) {
        CompletableFuture<JsonNode> f = pending.get(node.get("id").asInt());
        if (f != null) {
          f.complete(node);
        }
      }
    } catch (IOException e) {
      // not JSON: ignore (events we did not ask for)
    }
  }

  @Override
  public void close() {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Chromium goes away below anyway
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Collects a message's text frames and hands whole messages on. */
  private static final class Listener implements WebSocket.Listener {
    private final java.util.function.Consumer<String> sink;
    private final StringBuilder partial = new StringBuilder();

    Listener(java.util.function.Consumer<String> sink) {
      this.sink = sink;
    }

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String message = partial.toString();
        partial.setLength(0);
        sink.accept(message);
      }
      socket.request(1);
      return null;
    }
  }

  static Duration pollInterval() {
    return Duration.ofMillis(250);
  }
}
