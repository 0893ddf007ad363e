package io.graft.raft.transport;

import io.graft.raft.api.MemberId;
import io.graft.raft.message.AppendEntries;
import io.graft.raft.message.AppendEntriesResponse;
import io.graft.raft.message.ChangeRequest;
import io.graft.raft.message.ChangeResponse;
import io.graft.raft.message.CommitNotice;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.Heartbeat;
import io.graft.raft.message.HeartbeatResponse;
import io.graft.raft.message.InstallSnapshot;
import io.graft.raft.message.InstallSnapshotResponse;
import io.graft.raft.message.LogEntry;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.message.RequestVote;
import io.graft.raft.message.RequestVoteResponse;
import io.graft.raft.message.TimeoutNow;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded generator of every Raft message type with edge values (0, -1, Long.MIN/MAX, empty and
 * non-ASCII member ids, empty payloads). Same seed, same messages: failures replay from the seed.
 */
public final class RandomMessages {
  /** Number of message types; {@link #of(int)} covers 0..COUNT-1. */
  public static final int TYPE_COUNT = 12;

  private final Random random;

  public RandomMessages(long seed) {
    this.random = new Random(seed);
  }

  /** A random message of the {@code kind}-th type (0..11). */
  public RaftMessage of(int kind) {
    return of(kind, member());
  }

  /** A random message of the {@code kind}-th type (0..11) sent by {@code from}. */
  public RaftMessage of(int kind, MemberId from) {
    switch (kind) {
      case 0:
        return new AppendEntries(from, num(), num(), num(), entries(), num());
      case 1:
        return new AppendEntriesResponse(from, num(), flag(), num(), num(), num(), num());
      case 2:
        return new RequestVote(from, num(), num(), num(), flag(), flag());
      case 3:
        return new RequestVoteResponse(from, num(), flag(), flag());
      case 4:
        return new Heartbeat(from, num(), num(), num());
      case 5:
        return new HeartbeatResponse(from, num(), num(), num());
      case 6:
        return new TimeoutNow(from, num());
      case 7:
        return new InstallSnapshot(from, num(), num(), num(), bytes(64), num(), bytes(4096),
            random.nextInt(), flag());
      case 8:
        return new InstallSnapshotResponse(from, num(), num(), num(), flag(), flag());
      case 9:
        return new ChangeRequest(from, num(), num(),
            ChangeRequest.Operation.values()[random.nextInt(3)], member());
      case 10:
        return new ChangeResponse(from, num(), num(), flag() ? "" : "NOT_LEADER", "d" + num(),
            flag() ? null : member(), num(), List.of(member(), member()), List.of(member()));
      case 11:
        return new CommitNotice(from, num(), num());
      default:
        throw new IllegalArgumentException("kind " + kind);
    }
  }

  public RaftMessage any() {
    return of(random.nextInt(TYPE_COUNT));
  }

  public MemberId member() {
    String[] shapes = {"m", "member-" + random.nextInt(1000), "ü-节点-" + random.nextInt(9),
        "x".repeat(255)};
    return MemberId.of(shapes[random.nextInt(shapes.length)]);
  }

  private long num() {
    switch (random.nextInt(6)) {
      case 0:
        return 0;
      case 1:
        return Long.MAX_VALUE;
      case 2:
        return Long.MIN_VALUE;
      case 3:
        return -1;
      default:
        return random.nextLong();
    }
  }

  private boolean flag() {
    return random.nextBoolean();
  }

  private byte[] bytes(int max) {
    byte[] b = new byte[random.nextInt(max + 1)];
    random.nextBytes(b);
    return b;
  }

  private List<LogEntry> entries() {
    int n = random.nextInt(5) == 0 ? 0 : random.nextInt(20);
    List<LogEntry> list = new ArrayList<>(n);
    long term = 1 + random.nextInt(1000);
    long index = 1 + (random.nextLong() >>> 2);
    EntryType[] types = EntryType.values();
    for (int i = 0; i < n; i++) {
      list.add(new LogEntry(term, index + i, types[random.nextInt(types.length)], bytes(300)));
    }
    return list;
  }
}
