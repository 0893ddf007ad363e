package io.graft.bridge.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.bridge.capture.WriteGate;
import io.graft.bridge.codec.EntryCodec;
import io.graft.bridge.model.LeaseEntry;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftNode;
import io.graft.raft.api.RaftStatus;
import io.graft.raft.api.Role;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The lease renewal after an unknown outcome (RaftTransactionCommitProcess.onUnknownOutcome). */
class LeaseKeeperTest {
  private final List<Object> proposed = new ArrayList<>();
  private final List<String> logs = new ArrayList<>();
  private final WriteGate gate = new WriteGate();
  private final LeaseKeeper keeper =
      new LeaseKeeper("a:1", recordingRaft(), null, gate, logs::add);

  @Test
  void leaderWithAnUnknownOutcomeClosesItsGateAndAsksForTheNextLease() {
    keeper.onRoleChange(status(Role.LEADER, 3));
    gate.leaseApplied(1, "a:1", true, 10);
    assertThat(gate.isOpen()).isTrue();
    proposed.clear();

    keeper.renewLease("a transaction's outcome is unknown");

    assertThat(gate.isOpen()).as("writes paused until the new lease applies").isFalse();
    assertThat(proposed).containsExactly(new LeaseEntry(2, "a:1"));
    assertThat(logs).anyMatch(l -> l.contains("writes paused until a new lease is applied"));
    // Applying that lease (after every earlier entry, log order) reopens the gate.
    gate.leaseApplied(2, "a:1", true, 11);
    assertThat(gate.isOpen()).isTrue();
  }

  @Test
  void notLeaderProposesNothing() {
    // Never leader here (a step-down needs the state machine, which this test leaves out).
    keeper.renewLease("late timeout after losing leadership");
    assertThat(proposed).isEmpty();
  }

  private static RaftStatus status(Role role, long term) {
    return new RaftStatus(MemberId.of("a:1"), role, term, null, 0, 0, 0, List.of());
  }

  private RaftNode recordingRaft() {
    return (RaftNode) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {RaftNode.class}, (proxy, method, args) -> {
          if (method.getName().equals("propose")) {
            proposed.add(EntryCodec.decode((byte[]) args[0]));
            return new CompletableFuture<>();
          }
          throw new UnsupportedOperationException(method.getName());
        });
  }
}
