package io.graft.raft.protocol;

import static io.graft.raft.protocol.Fixtures.N1;
import static io.graft.raft.protocol.Fixtures.N2;
import static io.graft.raft.protocol.Fixtures.N3;
import static io.graft.raft.protocol.Fixtures.ofType;
import static io.graft.raft.protocol.Fixtures.plain;
import static io.graft.raft.protocol.Fixtures.termsOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.NotLeaderException;
import io.graft.raft.api.ProposalRejectedException;
import io.graft.raft.api.Role;
import io.graft.raft.message.AppendEntries;
import io.graft.raft.message.AppendEntriesResponse;
import io.graft.raft.message.Envelope;
import io.graft.raft.message.HeartbeatResponse;
import io.graft.raft.message.LogEntry;
import io.graft.raft.protocol.progress.ProgressState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Replication flow control: the fast back-off of §5.3 (conflict term/index hints, so a follower far
 * behind is repaired in a few round trips), pipelining within the in-flight window and batching by
 * entry count and bytes (thesis §10.2.2), and back-pressure on proposals (uncommittedBytesMax).
 * Scenarios after etcd-io/raft raft_test.go (TestFastLogRejection, TestMsgAppFlowControl*,
 * TestUncommittedEntryLimit).
 */
class FlowControlTest {

  private static long[] terms(int count, long term) {
    long[] out = new long[count];
    Arrays.fill(out, term);
    return out;
  }

  private static long[] concat(long[] a, long[] b) {
    long[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static int rejectionsTo(Network net, io.graft.raft.api.MemberId leader) {
    return (int)
        net.delivered.stream()
            .filter(e -> e.to().equals(leader))
            .map(Envelope::message)
            .filter(m -> m instanceof AppendEntriesResponse r && !r.success())
            .count();
  }

  @Test
  void followerThousandEntriesBehindIsRepairedInOneRejection_5_3() {
    // given a leader-to-be and N3 holding 1,000 entries, and an empty N2
    long[] full = terms(1000, 1);
    Network net = Network.withLogs(plain(), new long[] {1, 1, 1}, full, new long[0], full);
    // when N1 is elected (its first probe to N2 has prevLogIndex 1000)
    net.campaign(N1);
    // then N2's single rejection (conflictTerm 0, conflictIndex 1) sends nextIndex straight to 1
    assertThat(rejectionsTo(net, N1)).isEqualTo(1);
    assertThat(termsOf(net.node(N2).store)).hasSize(1001);
    // and the 1,001 entries travel in batches of entriesPerAppendMax, not one per round trip
    int appendsToN2 =
        (int)
            net.delivered.stream()
                .filter(e -> e.to().equals(N2) && e.message() instanceof AppendEntries)
                .count();
    assertThat(appendsToN2).isLessThanOrEqualTo(2 + 1001 / plain().entriesPerAppendMax() + 1);
  }

  @Test
  void divergentFollowerWithThousandConflictingEntriesIsRepairedInOneRejection_5_3() {
    // given a common prefix of 10 entries, then 1,000 uncommitted entries of term 2 on N2 only,
    // while N1 and N3 hold 1,000 entries of term 3
    long[] prefix = terms(10, 1);
    long[] leaderLog = concat(prefix, terms(1000, 3));
    long[] stale = concat(prefix, terms(1000, 2));
    Network net = Network.withLogs(plain(), new long[] {3, 3, 3}, leaderLog, stale, leaderLog);
    // when N1 leads term 4
    net.campaign(N1);
    // then N2 reports (conflictTerm 2, conflictIndex 11); N1 holds no term 2, so nextIndex jumps to
    // 11 in one round trip instead of walking back 1,000 entries
    assertThat(rejectionsTo(net, N1)).isEqualTo(1);
    assertThat(termsOf(net.node(N2).store)).containsExactly(termsOf(net.node(N1).store));
  }

  @Test
  void leaderHoldingTheConflictTermResumesAfterItsLastEntryOfThatTerm_5_3() {
    // given the leader holds 5 entries of term 2 then 1,000 of term 3; N2 holds 1,010 of term 2
    // (so the leader's first probe, prevLogIndex 1015, hits one of N2's term-2 entries)
    long[] prefix = terms(10, 1);
    long[] leaderLog = concat(concat(prefix, terms(5, 2)), terms(1000, 3));
    long[] follower = concat(prefix, terms(1010, 2));
    Network net = Network.withLogs(plain(), new long[] {3, 3, 3}, leaderLog, follower, leaderLog);
    net.campaign(N1);
    // then one rejection: the leader continues after its last term-2 entry (index 15), which
    // matches
    assertThat(rejectionsTo(net, N1)).isEqualTo(1);
    assertThat(termsOf(net.node(N2).store)).containsExactly(termsOf(net.node(N1).store));
  }

  @Test
  void pipeliningStopsAtTheInflightWindowAndResumesOnAck_10_2_2() {
    // given a leader whose followers are in REPLICATE
    Network net = Network.of(3, plain());
    net.campaign(N1);
    RaftMachine leader = net.machine(N1);
    assertThat(leader.progress(N2).state()).isEqualTo(ProgressState.REPLICATE);
    // when 20 proposals are made one by one and nothing is delivered
    for (int i = 0; i < 20; i++) {
      leader.propose(List.of(new byte[] {(byte) i}));
    }
    List<Envelope> sent = net.node(N1).processReady();
    // then exactly inflightAppendsMax AppendEntries are in flight to each follower
    int window = plain().inflightAppendsMax();
    List<AppendEntries> toN2 = new ArrayList<>();
    for (Envelope e : sent) {
      if (e.to().equals(N2) && e.message() instanceof AppendEntries a) {
        toN2.add(a);
      }
    }
    assertThat(toN2).hasSize(window);
    assertThat(leader.progress(N2).inflights().full()).isTrue();
    // when the first one is acknowledged, one slot frees and the rest goes in one batch
    long firstLast = toN2.get(0).entries().get(0).index();
    leader.step(new AppendEntriesResponse(N2, 1, true, firstLast, 0, 0, firstLast));
    List<AppendEntries> more = ofType(net.node(N1).processReady(), AppendEntries.class);
    assertThat(more)
        .filteredOn(a -> a.prevLogIndex() >= toN2.get(window - 1).prevLogIndex() + 1)
        .hasSize(1)
        .allSatisfy(a -> assertThat(a.entries()).hasSize(20 - window));
  }

  /**
   * appendLingerBytes (Nagle's rule): while an append is unacknowledged, small batches wait and
   * leave together with the acknowledgement; a large one leaves at once; a heartbeat response
   * releases what waits, in case the acknowledgement was lost.
   */
  @Test
  void smallBatchesWaitForTheUnacknowledgedAppendAndLeaveTogether() {
    Network net = Network.of(3, plain().withAppendLingerBytes(1000));
    net.campaign(N1);
    RaftMachine leader = net.machine(N1);
    long base = leader.lastIndex();
    // the first proposal leaves at once (nothing in flight), the next nine wait
    for (int i = 0; i < 10; i++) {
      leader.propose(List.of(new byte[] {(byte) i}));
    }
    List<AppendEntries> first = toN2(net.node(N1).processReady());
    assertThat(first).hasSize(1);
    assertThat(first.get(0).entries()).hasSize(1);
    // when it is acknowledged, the nine leave in one append
    leader.step(new AppendEntriesResponse(N2, 1, true, base + 1, 0, 0, base + 1));
    List<AppendEntries> next = toN2(net.node(N1).processReady());
    assertThat(next).hasSize(1);
    assertThat(next.get(0).entries()).hasSize(9);
    // a batch of 1,000 bytes or more does not wait
    leader.propose(List.of(new byte[1000]));
    assertThat(toN2(net.node(N1).processReady())).hasSize(1);
    // a small one waits, and a heartbeat response (its acknowledgement may be lost) releases it
    leader.propose(List.of(new byte[] {1}));
    assertThat(toN2(net.node(N1).processReady())).isEmpty();
    leader.step(new HeartbeatResponse(N2, 1, 0, base + 1));
    assertThat(toN2(net.node(N1).processReady())).hasSize(1);
  }

  private static List<AppendEntries> toN2(List<Envelope> sent) {
    List<AppendEntries> out = new ArrayList<>();
    for (Envelope e : sent) {
      if (e.to().equals(N2) && e.message() instanceof AppendEntries a && !a.entries().isEmpty()) {
        out.add(a);
      }
    }
    return out;
  }

  @Test
  void rejectionInReplicateFallsBackToProbe_5_3() {
    Network net = Network.of(3, plain());
    net.campaign(N1);
    RaftMachine leader = net.machine(N1);
    leader.propose(List.of(new byte[] {1}));
    net.node(N1).processReady(); // the AppendEntries is lost
    leader.step(new AppendEntriesResponse(N2, 1, false, 0, 2, 0, 1));
    assertThat(leader.progress(N2).state()).isEqualTo(ProgressState.PROBE);
    assertThat(leader.progress(N2).nextIndex()).isEqualTo(2);
  }

  @Test
  void probeAckConfirmingTheCurrentMatchResumesReplicationWithoutWaitingForAHeartbeat() {
    // given a leader whose follower N2 (match 1) fell back to PROBE with entry 2 in a lost probe
    Network net = Network.of(3, plain());
    net.campaign(N1);
    RaftMachine leader = net.machine(N1);
    leader.propose(List.of(new byte[] {7}));
    net.node(N1).processReady(); // entry 2 is lost in flight
    leader.step(new AppendEntriesResponse(N2, 1, false, 0, 2, 0, 1));
    net.node(N1).processReady(); // the probe carrying entry 2 is lost too
    assertThat(leader.progress(N2).state()).isEqualTo(ProgressState.PROBE);
    assertThat(leader.progress(N2).probeSent()).isTrue();
    // when N2 acknowledges an (earlier, empty) append at its current match 1
    leader.step(new AppendEntriesResponse(N2, 1, true, 1, 0, 0, 1));
    // then the leader replicates from there at once, without waiting for a heartbeat round
    assertThat(leader.progress(N2).state()).isEqualTo(ProgressState.REPLICATE);
    assertThat(ofType(net.node(N1).processReady(), AppendEntries.class))
        .anySatisfy(a -> assertThat(a.entries()).extracting(LogEntry::index).containsExactly(2L));
  }

  @Test
  void probesToAFollowerMissingALargeEntryCarryNoEntriesAndTheEntryGoesOnceInReplicate() {
    // given a leader whose 2 MiB entry 2 to N2 was lost, so N2 fell back to PROBE
    RaftConfig config = new RaftConfig(10, 1, 64, 8L << 20, 8, 64L << 20, false, false, 0);
    Network net = Network.of(3, config);
    net.campaign(N1);
    RaftMachine leader = net.machine(N1);
    leader.propose(List.of(new byte[2 << 20]));
    net.node(N1).processReady(); // entry 2 is lost in flight
    leader.step(new AppendEntriesResponse(N2, 1, false, 0, 2, 0, 1));
    assertThat(leader.progress(N2).state()).isEqualTo(ProgressState.PROBE);
    // when N2 answers heartbeats before it answers a probe (each answer re-arms the probe)
    List<AppendEntries> toN2 = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      leader.step(new HeartbeatResponse(N2, 1, 0, 1));
      for (Envelope e : net.node(N1).processReady()) {
        if (e.to().equals(N2) && e.message() instanceof AppendEntries a) {
          toN2.add(a);
        }
      }
    }
    // then every probe is empty: a slow follower is not sent the 2 MiB entry five times
    assertThat(toN2).hasSizeGreaterThanOrEqualTo(5)
        .allSatisfy(a -> assertThat(a.entries()).isEmpty());
    // and once a probe confirms the match, the entry goes exactly once, in REPLICATE
    leader.step(new AppendEntriesResponse(N2, 1, true, 1, 0, 0, 1));
    assertThat(leader.progress(N2).state()).isEqualTo(ProgressState.REPLICATE);
    List<AppendEntries> after = ofType(net.node(N1).processReady(), AppendEntries.class);
    assertThat(after).filteredOn(a -> !a.entries().isEmpty()).singleElement()
        .satisfies(a -> assertThat(a.entries()).extracting(LogEntry::index).containsExactly(2L));
  }

  @Test
  void batchesRespectEntryCountAndByteLimitsButCarryAtLeastOneEntry_10_2_2() {
    // given entriesPerAppendMax 5 and appendBytesMax 3,000; N2 is cut off while 30 entries of
    // 1,000 payload bytes (1,024 counted bytes) and one of 5,000 bytes are proposed
    RaftConfig config = new RaftConfig(10, 1, 5, 3000, 64, 1L << 20, false, false, 0);
    Network net = Network.of(3, config);
    net.campaign(N1);
    net.isolate(N2);
    for (int i = 0; i < 30; i++) {
      net.machine(N1).propose(List.of(new byte[1000]));
    }
    net.machine(N1).propose(List.of(new byte[5000]));
    for (int i = 0; i < 10; i++) {
      net.machine(N1).propose(List.of(new byte[10]));
    }
    net.deliverAll();
    net.resetCounts();
    // when N2 comes back and catches up
    net.heal();
    net.tickAll(3);
    // then every AppendEntries to N2 has <= 5 entries and <= 3,000 bytes, unless it is one entry
    List<AppendEntries> batches = new ArrayList<>();
    for (Envelope e : net.delivered) {
      if (e.to().equals(N2) && e.message() instanceof AppendEntries a && !a.entries().isEmpty()) {
        batches.add(a);
      }
    }
    assertThat(batches).isNotEmpty();
    for (AppendEntries a : batches) {
      long bytes = a.entries().stream().mapToLong(LogEntry::sizeBytes).sum();
      assertThat(a.entries().size()).isBetween(1, 5);
      if (a.entries().size() > 1) {
        assertThat(bytes).isLessThanOrEqualTo(3000);
      }
    }
    assertThat(batches).anySatisfy(a -> assertThat(a.entries()).hasSize(5)); // count-limited
    assertThat(batches).anySatisfy(a -> assertThat(a.entries()).hasSize(2)); // byte-limited
    assertThat(batches).anySatisfy(a -> assertThat(a.entries().get(0).payload()).hasSize(5000));
    assertThat(net.machine(N2).lastIndex()).isEqualTo(net.machine(N1).lastIndex());
  }

  @Test
  void proposalsBeyondUncommittedBytesMaxAreRejectedUntilCommitted() {
    // given uncommittedBytesMax 2,100 and a leader whose followers are cut off
    RaftConfig config = new RaftConfig(10, 1, 64, 1L << 20, 8, 2100, false, false, 0);
    Network net = Network.of(3, config);
    net.campaign(N1);
    RaftMachine leader = net.machine(N1);
    net.isolate(N1);
    // when two proposals of 1,024 counted bytes fit and a third would exceed the bound
    leader.propose(List.of(new byte[1000]));
    leader.propose(List.of(new byte[1000]));
    net.deliverAll();
    long lastBefore = leader.lastIndex();
    // then the third is rejected with a clear message and nothing is appended
    assertThatThrownBy(() -> leader.propose(List.of(new byte[1000])))
        .isInstanceOf(ProposalRejectedException.class)
        .hasMessageContaining("uncommittedBytesMax 2100")
        .hasMessageContaining("2048 uncommitted bytes");
    assertThat(leader.lastIndex()).isEqualTo(lastBefore);
    // when the followers come back and the entries commit, proposals are accepted again
    net.heal();
    net.tickAll(2);
    assertThat(leader.commitIndex()).isEqualTo(lastBefore);
    assertThat(leader.propose(List.of(new byte[1000]))).isEqualTo(lastBefore + 1);
  }

  @Test
  void followerRefusesProposalsNamingTheLeader() {
    Network net = Network.of(3, plain());
    net.campaign(N1);
    assertThatThrownBy(() -> net.machine(N2).propose(List.of(new byte[1])))
        .isInstanceOfSatisfying(
            NotLeaderException.class, e -> assertThat(e.leaderHint()).contains(N1))
        .hasMessageContaining("leader is n1");
    assertThat(net.machine(N3).role()).isEqualTo(Role.FOLLOWER);
  }
}
