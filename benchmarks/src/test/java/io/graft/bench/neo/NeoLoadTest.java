package io.graft.bench.neo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class NeoLoadTest {

  @Test
  void offeredRateSpreadsTheClientsEvenlyOverTime() {
    long origin = 5_000_000_000L;
    int clients = 4;
    double rate = 1000; // one write per millisecond in all
    List<Long> starts = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      for (long k = 0; k < 250; k++) {
        starts.add(NeoLoad.intendedStart(origin, c, clients, k, rate));
      }
    }
    Collections.sort(starts);
    for (int i = 0; i < starts.size(); i++) {
      assertEquals(origin + i * 1_000_000L, starts.get(i), "write " + i);
    }
    // each client every clients / rate seconds, offset by its turn
    assertEquals(origin + 4_000_000L, NeoLoad.intendedStart(origin, 0, clients, 1, rate));
    assertEquals(origin + 7_000_000L, NeoLoad.intendedStart(origin, 3, clients, 1, rate));
  }

  @Test
  void aFractionalRateKeepsItsAverage() {
    // 64 clients at 1,800 writes/s: the 96,000th write starts at 95,999 / 1,800 s, no drift
    long last = 0;
    int clients = 64;
    for (int c = 0; c < clients; c++) {
      last = Math.max(last, NeoLoad.intendedStart(0, c, clients, 96_000 / clients - 1, 1800));
    }
    assertEquals((96_000 - 1) * 1e9 / 1800, last, 1.0);
  }

  @Test
  void aNegativeRateIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NeoLoad.run("single", null, 1, 0, 1, new java.util.concurrent.atomic.AtomicLong(),
            -1, () -> {}, () -> {}));
    assertEquals("offered rate must be >= 0 (0: closed loop), got -1.0", e.getMessage());
  }

  @Test
  void theTailLineCountsTheWindowsTheSlowestWritesFallIn() {
    List<long[]> timed = new ArrayList<>();
    for (long t = 0; t < 1_000; t++) { // one write per millisecond for a second, 1 ms each
      timed.add(new long[] {t * 1_000_000L, 1_000_000L});
    }
    timed.add(new long[] {150_000_000L, 40_000_000L}); // a stall at 0.15 s: two slow writes
    timed.add(new long[] {160_000_000L, 30_000_000L});
    timed.add(new long[] {820_000_000L, 25_000_000L}); // another at 0.82 s
    String tail = NeoLoad.tail(timed, 25_000_000L);
    assertEquals("writes >= p99 25.00 ms fall in 2 of the 100 ms windows; worst: 0.1s:40.0ms"
        + " 0.8s:25.0ms", tail);
  }

  @Test
  void pinTakesTrueFalseOrOnly() {
    assertEquals(List.of(false), NeoClusterVsSingle.pinModes("false"));
    assertEquals(List.of(false, true), NeoClusterVsSingle.pinModes("true"));
    assertEquals(List.of(true), NeoClusterVsSingle.pinModes("only"));
    assertThrows(IllegalArgumentException.class, () -> NeoClusterVsSingle.pinModes("yes"));
  }
}
