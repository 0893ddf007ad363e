package io.graft.plugin.http;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects one scrape's metric families (several data points per name, told apart by labels) and
 * writes them with Prometheus' own text-format writer ({@code text/plain; version=0.0.4}). Names
 * follow Prometheus conventions: {@code graft_raft_} prefix, unit last, counters end in {@code
 * _total} (the writer appends it: pass counter names without it).
 */
final class MetricFamilies {
  static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  private enum Type { GAUGE, COUNTER, HISTOGRAM }

  private record Family(Type type, String help, List<Object> points) {}

  private final Map<String, Family> families = new LinkedHashMap<>();

  MetricFamilies gauge(String name, String help, double value, String... labels) {
    family(name, Type.GAUGE, help).points().add(GaugeDataPointSnapshot.builder()
        .labels(Labels.of(labels)).value(value).build());
    return this;
  }

  MetricFamilies counter(String name, String help, double value, String... labels) {
    if (name.endsWith("_total")) {
      throw new IllegalArgumentException("counter names go without _total: " + name);
    }
    family(name, Type.COUNTER, help).points().add(CounterDataPointSnapshot.builder()
        .labels(Labels.of(labels)).value(value).build());
    return this;
  }

  /**
   * A classic histogram.
   *
   * @param upperBounds the buckets' upper bounds, ascending; the last must be +Inf
   * @param counts observations per bucket (not cumulative), one per bound
   */
  MetricFamilies histogram(String name, String help, double[] upperBounds, long[] counts,
      double sum, String... labels) {
    family(name, Type.HISTOGRAM, help).points().add(HistogramDataPointSnapshot.builder()
        .labels(Labels.of(labels))
        .classicHistogramBuckets(ClassicHistogramBuckets.of(upperBounds, counts))
        .sum(sum)
        .build());
    return this;
  }

  private Family family(String name, Type type, String help) {
    Family f = families.computeIfAbsent(name, n -> new Family(type, help, new ArrayList<>()));
    if (f.type() != type) {
      throw new IllegalArgumentException(name + " is a " + f.type() + ", not a " + type);
    }
    return f;
  }

  MetricSnapshots snapshots() {
    List<MetricSnapshot> out = new ArrayList<>();
    for (Map.Entry<String, Family> e : families.entrySet()) {
      Family f = e.getValue();
      switch (f.type()) {
        case GAUGE -> {
          GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(e.getKey()).help(f.help());
          f.points().forEach(p -> b.dataPoint((GaugeDataPointSnapshot) p));
          out.add(b.build());
        }
        case COUNTER -> {
          CounterSnapshot.Builder b = CounterSnapshot.builder().name(e.getKey()).help(f.help());
          f.points().forEach(p -> b.dataPoint((CounterDataPointSnapshot) p));
          out.add(b.build());
        }
        case HISTOGRAM -> {
          HistogramSnapshot.Builder b =
              HistogramSnapshot.builder().name(e.getKey()).help(f.help());
          f.points().forEach(p -> b.dataPoint((HistogramDataPointSnapshot) p));
          out.add(b.build());
        }
        default -> throw new IllegalStateException(f.type().name());
      }
    }
    return new MetricSnapshots(out);
  }

  /** The text exposition of everything collected. */
  byte[] text() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    try {
      PrometheusTextFormatWriter.builder().setIncludeCreatedTimestamps(false).build()
          .write(out, snapshots());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
