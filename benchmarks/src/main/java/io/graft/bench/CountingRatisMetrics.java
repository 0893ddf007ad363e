package io.graft.bench;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.ratis.metrics.LongCounter;
import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.MetricRegistryInfo;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.apache.ratis.metrics.Timekeeper;
import org.apache.ratis.util.TimeDuration;

/**
 * Ratis needs a metrics implementation at run time; {@code ratis-metrics-default} 3.2.1 is not
 * served by the artifact mirror here, so this one is registered through ServiceLoader. Timers and
 * gauges are no-ops; counters are atomic longs summed by name over every server of the JVM (the
 * benchmark reads {@code flushCount} and {@code appendEntryCount} for Ratis' entries per fsync),
 * about what graft pays for its own counters.
 */
public final class CountingRatisMetrics extends MetricRegistries {
  private static final ConcurrentHashMap<String, AtomicLong> COUNTERS = new ConcurrentHashMap<>();

  /** The sum of every counter called {@code name} so far. */
  static long counter(String name) {
    AtomicLong c = COUNTERS.get(name);
    return c == null ? 0 : c.get();
  }

  @Override
  public void clear() {}

  @Override
  public RatisMetricRegistry create(MetricRegistryInfo info) {
    return new RatisMetricRegistry() {
      @Override
      public Timekeeper timer(String name) {
        return () -> () -> 0L;
      }

      @Override
      public LongCounter counter(String name) {
        AtomicLong value = COUNTERS.computeIfAbsent(name, n -> new AtomicLong());
        return new LongCounter() {
          @Override
          public void inc(long n) {
            value.addAndGet(n);
          }

          @Override
          public void dec(long n) {
            value.addAndGet(-n);
          }

          @Override
          public long getCount() {
            return value.get();
          }
        };
      }

      @Override
      public boolean remove(String name) {
        return true;
      }

      @Override
      public <T> void gauge(String name, Supplier<Supplier<T>> supplier) {}

      @Override
      public MetricRegistryInfo getMetricRegistryInfo() {
        return info;
      }
    };
  }

  @Override
  public boolean remove(MetricRegistryInfo info) {
    return true;
  }

  @Override
  public Optional<RatisMetricRegistry> get(MetricRegistryInfo info) {
    return Optional.empty();
  }

  @Override
  public Set<MetricRegistryInfo> getMetricRegistryInfos() {
    return Set.of();
  }

  @Override
  public Collection<RatisMetricRegistry> getMetricRegistries() {
    return List.of();
  }

  @Override
  public void addReporterRegistration(
      Consumer<RatisMetricRegistry> add, Consumer<RatisMetricRegistry> remove) {}

  @Override
  public void enableJmxReporter() {}

  @Override
  public void enableConsoleReporter(TimeDuration period) {}
}
