package io.graft.it.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples the used heap of a server process with {@code jstat -gc <pid> 100} (every 100 ms)
 * and keeps the largest sample: young + survivor + old used, garbage not yet collected included,
 * so it is an upper bound of the live peak, and spikes shorter than 100 ms can be missed. A
 * measurement aid, not an assertion; -1 when jstat is unavailable.
 */
final class HeapSampler implements AutoCloseable {
  private static final List<String> USED = List.of("S0U", "S1U", "EU", "OU");
  private final Process jstat;
  private final Thread reader;
  private final AtomicLong peakKb = new AtomicLong(-1);

  private HeapSampler(Process jstat) {
    this.jstat = jstat;
    this.reader = new Thread(this::read, "heap-sampler");
    this.reader.setDaemon(true);
    this.reader.start();
  }

  static HeapSampler start(long pid) throws IOException {
    Path bin = Path.of(System.getProperty("java.home"), "bin", "jstat");
    if (!Files.isExecutable(bin)) {
      return new HeapSampler(null);
    }
    return new HeapSampler(new ProcessBuilder(bin.toString(), "-gc", Long.toString(pid), "100")
        .redirectErrorStream(true).start());
  }

  private void read() {
    if (jstat == null) {
      return;
    }
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(jstat.getInputStream(), StandardCharsets.UTF_8))) {
      List<String> header = null;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        List<String> cols = Arrays.asList(line.trim().split("\\s+"));
        if (cols.contains("EU")) {
          header = cols;
        } else if (header != null && cols.size() == header.size()) {
          long used = 0;
          for (String name : USED) {
            used += (long) Double.parseDouble(cols.get(header.indexOf(name)));
          }
          peakKb.accumulateAndGet(used, Math::max);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // The sampler is best-effort: the peak stays what was seen so far.
    }
  }

  /** The largest used heap seen so far, in MB; -1 if nothing was sampled. */
  long peakMb() {
    long kb = peakKb.get();
    return kb < 0 ? -1 : kb / 1024;
  }

  @Override
  public void close() throws InterruptedException {
    if (jstat != null) {
      jstat.destroy();
      jstat.waitFor(10, TimeUnit.SECONDS);
    }
    reader.join(TimeUnit.SECONDS.toMillis(10));
  }
}
