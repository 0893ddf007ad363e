package io.graft.raft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.raft.api.MemberId;
import io.graft.raft.message.Heartbeat;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class InboxTest {
  private static final Event.Inbound MESSAGE =
      new Event.Inbound(new Heartbeat(MemberId.of("a"), 1, 0, 0));

  @Test
  void fullInboxRejectsProposalsAndDropsMessagesButKeepsTicks() throws Exception {
    Inbox inbox = new Inbox(2);
    assertThat(inbox.offerProposal(new Event.Proposal(new byte[1], new CompletableFuture<>())))
        .isTrue();
    inbox.offerMessage(MESSAGE);
    assertThat(inbox.offerProposal(new Event.Proposal(new byte[1], new CompletableFuture<>())))
        .isFalse();
    inbox.offerMessage(MESSAGE);
    inbox.postTick();
    inbox.postTick();
    assertThat(inbox.droppedMessages()).isEqualTo(1);
    assertThat(inbox.takeTicks()).isEqualTo(2);
    assertThat(inbox.takeTicks()).isZero();
  }

  @Test
  void messagesAreStampedSoTicksAreReplayedInArrivalOrder() throws Exception {
    // a stall: 3 ticks pass, a heartbeat arrives, 2 more ticks pass, before the owner looks
    Inbox inbox = new Inbox(10);
    inbox.postTick();
    inbox.postTick();
    inbox.postTick();
    inbox.offerMessage(new Heartbeat(MemberId.of("a"), 1, 0, 7));
    inbox.postTick();
    inbox.postTick();
    List<Event> batch = new ArrayList<>();
    inbox.drain(batch, 10, 1000);
    Event.Inbound heartbeat = batch.stream()
        .filter(Event.Inbound.class::isInstance).map(Event.Inbound.class::cast)
        .findFirst().orElseThrow(); // the rest are the ticks' wake-ups
    assertThat(heartbeat.ticksBefore()).isEqualTo(3);
    // the owner steps the 3 earlier ticks, then the heartbeat, then the 2 later ticks
    assertThat(inbox.takeTicksUpTo(heartbeat.ticksBefore())).isEqualTo(3);
    assertThat(inbox.takeTicksUpTo(heartbeat.ticksBefore())).isZero();
    assertThat(inbox.takeTicks()).isEqualTo(2);
    assertThat(inbox.takeTicks()).isZero();
  }

  @Test
  void drainTakesEverythingQueuedUpToTheBatchBound() throws Exception {
    Inbox inbox = new Inbox(100);
    for (int i = 0; i < 10; i++) {
      inbox.offerMessage(MESSAGE);
    }
    List<Event> batch = new ArrayList<>();
    inbox.drain(batch, 4, 1000);
    assertThat(batch).hasSize(4);
    batch.clear();
    inbox.drain(batch, 100, 1000);
    assertThat(batch).hasSize(6);
  }

  @Test
  void drainReturnsAtOnceWhenTicksArePendingEvenIfTheQueueIsEmpty() throws Exception {
    Inbox inbox = new Inbox(1);
    inbox.offerMessage(MESSAGE); // fills the queue: the tick's wake-up is dropped
    inbox.postTick();
    List<Event> batch = new ArrayList<>();
    inbox.drain(batch, 10, 1000);
    assertThat(batch).containsExactly(MESSAGE);
    batch.clear();
    long start = System.nanoTime();
    inbox.drain(batch, 10, 60_000);
    assertThat(batch).isEmpty();
    assertThat(System.nanoTime() - start)
        .as("no wait while a tick is pending")
        .isLessThan(5_000_000_000L);
    assertThat(inbox.takeTicks()).isEqualTo(1);
  }

  @Test
  void carriedOverEventsComeFirstAndInOrder() throws Exception {
    Inbox inbox = new Inbox(10);
    Event.Inbound a = new Event.Inbound(new Heartbeat(MemberId.of("a"), 1, 0, 1));
    Event.Inbound b = new Event.Inbound(new Heartbeat(MemberId.of("a"), 1, 0, 2));
    Event.Inbound c = new Event.Inbound(new Heartbeat(MemberId.of("a"), 1, 0, 3));
    inbox.offerMessage(c);
    inbox.carryOver(List.of(a, b));
    List<Event> batch = new ArrayList<>();
    inbox.drain(batch, 10, 1000);
    assertThat(batch).containsExactly(a, b, c);
  }

  @Test
  void ticksRoundUpSoTimeoutsAreNeverShorter() {
    assertThat(Ticker.toTicks(1000, 100)).isEqualTo(10);
    assertThat(Ticker.toTicks(1001, 100)).isEqualTo(11);
    assertThat(Ticker.toTicks(0, 100)).isEqualTo(1);
    assertThat(
            RaftNodeBuilder.configFromMillis(
                    io.graft.raft.protocol.RaftConfig.defaults(), 1500, 300, 100)
                .electionTimeoutTicks())
        .isEqualTo(15);
  }

  @Test
  void withAnOwnerSignalEveryOfferAndWakeUpSignalsAndNoWakeUpEventIsQueued() throws Exception {
    Inbox inbox = new Inbox(4);
    inbox.offerMessage(MESSAGE); // before the signal: waits for the owner's first run
    int[] signals = new int[1];
    inbox.signalOwner(() -> signals[0]++);
    inbox.offerMessage(MESSAGE);
    assertThat(inbox.offerProposal(new Event.Proposal(new byte[1], new CompletableFuture<>())))
        .isTrue();
    assertThat(inbox.offerTask(new Event.Task(() -> {}))).isTrue();
    inbox.postTick();
    inbox.wakeUp();
    assertThat(signals[0]).isEqualTo(5);
    // a full inbox still signals: the owner must run to make room
    inbox.offerMessage(MESSAGE);
    assertThat(signals[0]).isEqualTo(6);
    assertThat(inbox.droppedMessages()).isEqualTo(1);

    List<Event> batch = new ArrayList<>();
    inbox.drain(batch, 100, 0);
    assertThat(batch).hasSize(4).noneMatch(e -> e instanceof Event.Wakeup);
    assertThat(inbox.takeTicks()).isEqualTo(1);
    assertThat(inbox.idle()).isTrue();
  }
}
