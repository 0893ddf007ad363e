package io.graft.raft.protocol;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftStatus;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.protocol.log.LogReader;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The pure Raft protocol: messages, ticks and proposals in; a {@link Ready} out. No threads, clocks or
 * I/O. NOT thread-safe by contract: one owner thread calls everything.
 *
 * <p>SKELETON: signatures agreed between protocol, simulation and runtime; bodies are being written.
 */
public final class RaftMachine {

  /**
   * @param self this member
   * @param initialVoters the founding voters (used when the log holds no configuration entry)
   * @param log the durable log as of start (the runtime appends to it after each Ready)
   * @param hardState the durable term/vote/commit as of start
   * @param random seeded source of election jitter
   */
  public RaftMachine(
      RaftConfig config,
      MemberId self,
      Set<MemberId> initialVoters,
      LogReader log,
      HardState hardState,
      RandomGenerator random) {
    throw new UnsupportedOperationException("not written yet");
  }

  /** Handles one inbound message (from any member, any term). */
  public void step(RaftMessage message) {
    throw new UnsupportedOperationException("not written yet");
  }

  /** Advances logical time by one tick (election and heartbeat timers, CheckQuorum). */
  public void tick() {
    throw new UnsupportedOperationException("not written yet");
  }

  /**
   * Appends application payloads to the leader's log (in memory; durable after the Ready that carries
   * them is persisted). Returns the index of the first; the rest follow densely, all in {@link #term()}.
   *
   * @throws io.graft.raft.api.NotLeaderException if not leader
   * @throws io.graft.raft.api.ProposalRejectedException on back-pressure (uncommitted bytes bound) or
   *     during a leadership transfer
   */
  public long propose(List<byte[]> payloads) {
    throw new UnsupportedOperationException("not written yet");
  }

  public boolean hasReady() {
    throw new UnsupportedOperationException("not written yet");
  }

  /** The pending effects; call {@link #advance} once they are carried out. */
  public Ready ready() {
    throw new UnsupportedOperationException("not written yet");
  }

  /** Acknowledges that everything in {@code ready} was carried out (entries durable, messages sent). */
  public void advance(Ready ready) {
    throw new UnsupportedOperationException("not written yet");
  }

  public MemberId self() {
    throw new UnsupportedOperationException("not written yet");
  }

  public SoftState softState() {
    throw new UnsupportedOperationException("not written yet");
  }

  public HardState hardState() {
    throw new UnsupportedOperationException("not written yet");
  }

  public long term() {
    throw new UnsupportedOperationException("not written yet");
  }

  public long commitIndex() {
    throw new UnsupportedOperationException("not written yet");
  }

  public long lastIndex() {
    throw new UnsupportedOperationException("not written yet");
  }

  /**
   * Status rows as the protocol sees them (roles, voting, match index; lastContact in ticks since
   * last heard, -1 if unknown). The runtime converts ticks to milliseconds and adds the applied index.
   */
  public RaftStatus status(long appliedIndex, long tickMillis) {
    throw new UnsupportedOperationException("not written yet");
  }
}
