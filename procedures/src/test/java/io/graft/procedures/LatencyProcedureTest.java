package io.graft.procedures;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.raft.api.metrics.Histogram;
import io.graft.raft.api.metrics.HistogramSnapshot;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.neo4j.collection.ResourceRawIterator;
import org.neo4j.internal.kernel.api.exceptions.ProcedureException;
import org.neo4j.kernel.api.procedure.CallableProcedure;
import org.neo4j.values.AnyValue;
import org.neo4j.values.storable.DoubleValue;
import org.neo4j.values.storable.LongValue;
import org.neo4j.values.storable.TextValue;

/** {@code raft.latency()}: one row per histogram of the member, in its order, in milliseconds. */
class LatencyProcedureTest {

  @Test
  void oneRowPerStageInOrderWithCountsAndQuantilesInMilliseconds() throws Exception {
    Histogram fsync = new Histogram();
    for (int i = 0; i < 100; i++) {
      fsync.recordNanos(2_000_000); // 2 ms
    }
    fsync.recordNanos(40_000_000); // one 40 ms outlier
    Map<String, HistogramSnapshot> latencies = new LinkedHashMap<>();
    latencies.put("encoded", HistogramSnapshot.EMPTY);
    latencies.put("raft_log_fsync", fsync.snapshot());
    RaftAdmin admin = (RaftAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {RaftAdmin.class}, (proxy, method, args) -> {
          if (method.getName().equals("latencies")) {
            return latencies;
          }
          throw new UnsupportedOperationException(method.getName());
        });

    CallableProcedure p = RaftProcedures.latency(() -> Optional.of(admin));
    assertThat(p.signature().name()).isEqualTo(RaftProcedures.name("raft.latency"));
    List<AnyValue[]> rows = rows(p.apply(null, new AnyValue[0], null));

    assertThat(rows).hasSize(2);
    assertThat(((TextValue) rows.get(0)[0]).stringValue()).isEqualTo("encoded");
    assertThat(((LongValue) rows.get(0)[1]).longValue()).isZero();
    assertThat(((TextValue) rows.get(1)[0]).stringValue()).isEqualTo("raft_log_fsync");
    assertThat(((LongValue) rows.get(1)[1]).longValue()).isEqualTo(101);
    double p50 = ((DoubleValue) rows.get(1)[2]).doubleValue();
    assertThat(p50).as("p50 ms").isBetween(1.7, 2.3);
    assertThat(((DoubleValue) rows.get(1)[5]).doubleValue()).as("max ms").isEqualTo(40.0);
  }

  private static List<AnyValue[]> rows(ResourceRawIterator<AnyValue[], ProcedureException> it)
      throws ProcedureException {
    List<AnyValue[]> out = new ArrayList<>();
    while (it.hasNext()) {
      out.add(it.next());
    }
    return out;
  }
}
