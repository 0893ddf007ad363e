package io.graft.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The network faults must cut exactly the links they claim to, or the chaos is not what it says.
 */
class SimNetworkTest {

  @Test
  void majorityRingLetsEachMemberReachOnlyItsTwoNeighbours() {
    SimNetwork network = new SimNetwork(5);
    network.ring();
    for (int a = 0; a < 5; a++) {
      int reachable = 0;
      for (int b = 0; b < 5; b++) {
        if (network.connected(a, b)) {
          reachable++;
        }
      }
      // itself and two neighbours: a majority of five, yet no majority shares one view
      assertThat(reachable).as("members reachable from %d", a).isEqualTo(3);
      assertThat(network.connected(a, (a + 1) % 5)).isTrue();
      assertThat(network.connected(a, (a + 2) % 5)).isFalse();
    }
  }

  @Test
  void isolationCutsBothDirectionsAndHealRestores() {
    SimNetwork network = new SimNetwork(3);
    network.isolate(1);
    assertThat(network.connected(0, 1)).isFalse();
    assertThat(network.connected(1, 2)).isFalse();
    assertThat(network.connected(0, 2)).isTrue();
    network.heal();
    assertThat(network.connected(0, 1)).isTrue();
    assertThat(network.connected(1, 2)).isTrue();
  }

  @Test
  void oneWayBlockLeavesTheReverseDirectionUp() {
    SimNetwork network = new SimNetwork(3);
    network.blockOneWay(0, 2);
    assertThat(network.connected(0, 2)).isFalse();
    assertThat(network.connected(2, 0)).isTrue();
    assertThat(network.deliveryDelays(0, 2, new SplittableRandom(1))).isEmpty();
  }

  @Test
  void flakyLinksLoseDuplicateAndReorder() {
    SimNetwork network = new SimNetwork(2);
    network.setFlakiness(0.2, 0.1);
    SplittableRandom random = new SplittableRandom(7);
    int lost = 0;
    int duplicated = 0;
    long previousDelay = -1;
    int reordered = 0;
    for (int i = 0; i < 10_000; i++) {
      var delays = network.deliveryDelays(0, 1, random);
      lost += delays.isEmpty() ? 1 : 0;
      duplicated += delays.size() == 2 ? 1 : 0;
      if (!delays.isEmpty()) {
        // a later message with a shorter delay overtakes an earlier one
        reordered += previousDelay > delays.get(0) + 1 ? 1 : 0;
        previousDelay = delays.get(0);
      }
    }
    assertThat(lost).isBetween(1_700, 2_300);
    assertThat(duplicated).isBetween(500, 1_100);
    assertThat(reordered).isPositive();
  }
}
