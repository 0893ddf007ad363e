package io.graft.raft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.graft.raft.api.CommitResult;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both owners over the Netty transport: as tasks on the transport's event loop ({@code
 * RaftNodeBuilder.ownerOnTransportLoop}, the default) and on a thread of its own. Each really runs
 * where it should; a 3-member cluster replicates concurrent proposals to identical state
 * machines; a closed leader is replaced (its followers notice the lost connection) and the new one
 * commits; close stops the owner's last turn before the transport's loop shuts down (no 10 s
 * wait).
 */
class OwnerOnTransportLoopTest {
  private final List<RaftNodeRunner> nodes = new ArrayList<>();
  private final Map<RaftNodeRunner, RecordingStateMachine> machines = new HashMap<>();

  @TempDir Path tmp;

  @AfterEach
  void closeAll() {
    for (RaftNodeRunner n : nodes) {
      long start = System.nanoTime();
      n.close();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
          .as("close of %s", n.self()).isLessThan(5000);
    }
  }

  @ParameterizedTest(name = "owner on the transport's loop: {0}")
  @ValueSource(booleans = {true, false})
  void replicatesFailsOverAndCloses(boolean onLoop) throws Exception {
    // election timeout 5-10 s (NettyTrio): a new leader within 4 s below can only come from
    // the lost-connection path
    NettyTrio trio = NettyTrio.start(tmp, "onloop", b -> b.ownerOnTransportLoop(onLoop));
    nodes.addAll(trio.nodes);
    machines.putAll(trio.machines);
    for (RaftNodeRunner n : nodes) {
      // the owner's work runs on the transport's thread, or on a graft-raft- thread of its own
      assertThat(n.inspectLog(r -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS))
          .startsWith((onLoop ? "graft-net-" : "graft-raft-") + n.self().value());
    }
    RaftNodeRunner leader = trio.agreedLeader();

    // 8 proposers, 2,000 writes: group commit and pipelined rounds on one thread per member
    List<CompletableFuture<CommitResult>> futures = new ArrayList<>();
    List<Thread> proposers = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int first = t * 250;
      Thread p = new Thread(() -> {
        for (int i = first; i < first + 250; i++) {
          CompletableFuture<CommitResult> f =
              leader.propose(ByteBuffer.allocate(4).putInt(i).array());
          synchronized (futures) {
            futures.add(f);
          }
        }
      });
      proposers.add(p);
      p.start();
    }
    for (Thread p : proposers) {
      p.join();
    }
    long last = 0;
    for (CompletableFuture<CommitResult> f : futures) {
      last = Math.max(last, f.get(60, TimeUnit.SECONDS).index());
    }
    long lastIndex = last;
    await().atMost(Duration.ofSeconds(30)).until(
        () -> nodes.stream().allMatch(n -> machines.get(n).lastAppliedIndex() >= lastIndex));
    List<RecordingStateMachine.Applied> reference = machines.get(leader).applied();
    assertThat(reference.size()).isGreaterThanOrEqualTo(2001);
    for (RaftNodeRunner n : nodes) {
      assertThat(machines.get(n).applied()).as("applied on %s", n.self()).isEqualTo(reference);
    }

    long term = leader.status().term();
    long closed = System.nanoTime();
    leader.close(); // its sockets close, as a killed process's do
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closed)).isLessThan(5000);
    List<RaftNodeRunner> rest = new ArrayList<>(nodes);
    rest.remove(leader);
    RaftNodeRunner next = await().atMost(Duration.ofSeconds(4)).until(
        () -> rest.stream().filter(n -> n.status().isLeader()).findFirst().orElse(null),
        n -> n != null);
    assertThat(next.status().term()).isGreaterThan(term);
    long index = next.propose(new byte[] {2}).get(30, TimeUnit.SECONDS).index();
    await().atMost(Duration.ofSeconds(30)).until(
        () -> rest.stream().allMatch(n -> machines.get(n).lastAppliedIndex() >= index));
    assertThat(machines.get(rest.get(0)).applied()).isEqualTo(machines.get(rest.get(1)).applied());
  }
}
