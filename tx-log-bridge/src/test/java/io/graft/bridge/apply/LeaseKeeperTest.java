package io.graft.bridge.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.bridge.capture.WriteGate;
import io.graft.bridge.codec.EntryCodec;
import io.graft.bridge.model.LeaseEntry;
import io.graft.raft.api.CommitResult;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftNode;
import io.graft.raft.api.RaftStatus;
import io.graft.raft.api.Role;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Leases on election, again after losing a race, and renewed after an unknown outcome. */
class LeaseKeeperTest {
  private final List<Object> proposed = new ArrayList<>();
  private final List<String> logs = new ArrayList<>();
  private final List<CompletableFuture<CommitResult>> outcomes = new ArrayList<>();
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
  void aLeaderWhoseOwnLeaseLostTheRaceAsksForTheSuccessorOfTheWinner() {
    keeper.onRoleChange(status(Role.LEADER, 3));
    assertThat(proposed).containsExactly(new LeaseEntry(1, "a:1"));
    // An old leader's lease 1 was applied first; ours, applied after it, was not accepted.
    gate.leaseApplied(1, "b:1", false, 10);
    outcomes.get(0).complete(new CommitResult(7, 3, false));

    assertThat(proposed).containsExactly(new LeaseEntry(1, "a:1"), new LeaseEntry(2, "a:1"));
    // Accepted this time: nothing more is asked.
    gate.leaseApplied(2, "a:1", true, 11);
    outcomes.get(1).complete(new CommitResult(8, 3, true));
    assertThat(proposed).hasSize(2);
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
            CompletableFuture<CommitResult> outcome = new CompletableFuture<>();
            outcomes.add(outcome);
            return outcome;
          }
          throw new UnsupportedOperationException(method.getName());
        });
  }
}
