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
}
