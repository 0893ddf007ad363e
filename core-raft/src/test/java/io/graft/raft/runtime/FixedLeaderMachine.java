package io.graft.raft.runtime;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.NotLeaderException;
import io.graft.raft.api.RaftStatus;
import io.graft.raft.api.Role;
import io.graft.raft.message.AppendEntries;
import io.graft.raft.message.AppendEntriesResponse;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.Envelope;
import io.graft.raft.message.LogEntry;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.protocol.HardState;
import io.graft.raft.protocol.Ready;
import io.graft.raft.protocol.SoftState;
import io.graft.raft.protocol.log.LogReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A test double of the protocol for runtime tests while (and besides) the real RaftMachine: the
 * smallest voter is leader from its first tick, bumps the term once per start, appends a NOOP, and
 * replicates with AppendEntries/responses using the same Ready ordering contract (follower acks
 * after persist, leader counts itself only after advance). No elections, no conflicts beyond a tail
 * reset. NOT Raft: it only exercises the runner's plumbing.
 */
final class FixedLeaderMachine implements ConsensusMachine {
  private final MemberId self;
  private final MemberId leader;
  private final List<MemberId> followers = new ArrayList<>();
  private final LogReader log;
  private final int voterCount;
  private final List<LogEntry> unstable = new ArrayList<>();
  /** The first {@code inProgress} entries of {@link #unstable} were handed out to persist. */
  private int inProgress;
  private final List<Envelope> now = new ArrayList<>();
  private final List<Envelope> afterPersist = new ArrayList<>();
  private final Map<MemberId, Long> match = new HashMap<>();
  private final Map<MemberId, Long> next = new HashMap<>();
  private long term;
  private long commitIndex;
  private long durableIndex;
  private long handedOut;
  private boolean leading;
  private HardState savedHard;

  FixedLeaderMachine(MemberId self, Set<MemberId> voters, LogReader log, HardState hard) {
    this.self = self;
    TreeSet<MemberId> sorted = new TreeSet<>(voters);
    this.leader = sorted.first();
    this.voterCount = voters.size();
    for (MemberId m : sorted) {
      if (!m.equals(self)) {
        followers.add(m);
      }
    }
    this.log = log;
    this.term = hard.term();
    this.commitIndex = hard.commitIndex();
    this.durableIndex = log.lastIndex();
    this.handedOut = log.snapshotIndex();
    this.savedHard = hard;
  }

  static ConsensusMachine.Factory factory() {
    return (config, self, voters, log, hard, random, snapshot, logging) ->
        new FixedLeaderMachine(self, voters, log, hard);
  }

  @Override
  public void step(RaftMessage message) {
    if (message instanceof AppendEntries ae) {
      onAppend(ae);
    } else if (message instanceof AppendEntriesResponse r && leading) {
      if (r.success()) {
        match.merge(r.from(), r.matchIndex(), Math::max);
        maybeCommit();
      } else {
        next.put(r.from(), r.lastLogIndex() + 1);
      }
    }
  }

  private void onAppend(AppendEntries ae) {
    term = Math.max(term, ae.term());
    long last = lastIndex();
    if (ae.prevLogIndex() > last) {
      afterPersist.add(reply(ae.from(), false, 0, last));
      return;
    }
    if (!ae.entries().isEmpty()) {
      // Drop our tail above prevLogIndex (leader is fixed, so only a restart leaves a stale tail).
      unstable.removeIf(e -> e.index() > ae.prevLogIndex());
      inProgress = Math.min(inProgress, unstable.size());
      long firstNew = ae.entries().get(0).index();
      if (unstable.isEmpty() && firstNew <= durableIndex) {
        durableIndex = firstNew - 1;
      }
      unstable.addAll(ae.entries());
    }
    long matched = ae.prevLogIndex() + ae.entries().size();
    commitIndex = Math.max(commitIndex, Math.min(ae.leaderCommit(), matched));
    afterPersist.add(reply(ae.from(), true, matched, lastIndex()));
  }

  private Envelope reply(MemberId to, boolean ok, long matched, long last) {
    return new Envelope(to, new AppendEntriesResponse(self, term, ok, matched, 0, 0, last));
  }

  @Override
  public void tick() {
    if (self.equals(leader) && !leading) {
      leading = true;
      term++;
      for (MemberId f : followers) {
        match.put(f, 0L);
        next.put(f, lastIndex() + 1);
      }
      unstable.add(new LogEntry(term, lastIndex() + 1, EntryType.NOOP, null));
    }
    if (leading) {
      for (MemberId f : followers) {
        sendAppend(f);
      }
    }
  }

  private void sendAppend(MemberId f) {
    long from = Math.min(next.get(f), lastIndex() + 1);
    List<LogEntry> entries = entries(from, lastIndex() + 1);
    long prev = from - 1;
    long prevTerm = prev == 0 ? 0 : entryAt(prev).term();
    long commit = Math.min(commitIndex, prev + entries.size());
    now.add(new Envelope(f, new AppendEntries(self, term, prev, prevTerm, entries, commit)));
    next.put(f, lastIndex() + 1);
  }

  @Override
  public long propose(List<byte[]> payloads) {
    if (!leading) {
      throw new NotLeaderException(self, leader);
    }
    long first = lastIndex() + 1;
    for (byte[] p : payloads) {
      unstable.add(new LogEntry(term, lastIndex() + 1, EntryType.APPLICATION, p));
    }
    for (MemberId f : followers) {
      sendAppend(f);
    }
    return first;
  }

  private void maybeCommit() {
    List<Long> acks = new ArrayList<>(match.values());
    acks.add(durableIndex);
    acks.sort(null);
    long quorum = acks.get(acks.size() - (voterCount / 2 + 1));
    commitIndex = Math.max(commitIndex, quorum);
  }

  @Override
  public boolean hasReady() {
    return unstable.size() > inProgress
        || !now.isEmpty()
        || !afterPersist.isEmpty()
        || Math.min(commitIndex, durableIndex) > handedOut
        || !hardState().equals(savedHard);
  }

  @Override
  public Ready ready() {
    HardState hard = hardState();
    long applyTo = Math.min(commitIndex, durableIndex);
    List<LogEntry> apply = applyTo > handedOut ? entries(handedOut + 1, applyTo + 1) : List.of();
    List<LogEntry> toPersist = List.copyOf(unstable.subList(inProgress, unstable.size()));
    Ready ready =
        new Ready(
            softState(),
            hard.equals(savedHard) ? null : hard,
            toPersist,
            now,
            afterPersist,
            apply,
            !toPersist.isEmpty() || hard.term() != savedHard.term());
    // Handed out: several Readies may be in flight (the runtime fsyncs on another thread).
    inProgress = unstable.size();
    if (!apply.isEmpty()) {
      handedOut = apply.get(apply.size() - 1).index();
    }
    savedHard = hard;
    now.clear();
    afterPersist.clear();
    return ready;
  }

  @Override
  public void advance(Ready ready) {
    if (!ready.entriesToPersist().isEmpty()) {
      LogEntry last = ready.entriesToPersist().get(ready.entriesToPersist().size() - 1);
      int persisted = unstable.indexOf(last) + 1;
      if (persisted > 0) {
        unstable.subList(0, persisted).clear();
        inProgress = Math.max(0, inProgress - persisted);
        durableIndex = last.index();
      }
    }
    if (leading) {
      maybeCommit();
    }
  }

  private long lastIndex() {
    return unstable.isEmpty() ? durableIndex : unstable.get(unstable.size() - 1).index();
  }

  private LogEntry entryAt(long index) {
    return entries(index, index + 1).get(0);
  }

  private List<LogEntry> entries(long from, long toExclusive) {
    List<LogEntry> out = new ArrayList<>();
    if (from <= durableIndex) {
      out.addAll(log.entries(from, Math.min(toExclusive, durableIndex + 1), Long.MAX_VALUE));
    }
    for (LogEntry e : unstable) {
      if (e.index() >= from && e.index() < toExclusive) {
        out.add(e);
      }
    }
    return out;
  }

  @Override
  public SoftState softState() {
    return new SoftState(leading ? Role.LEADER : Role.FOLLOWER, term, term > 0 ? leader : null);
  }

  @Override
  public HardState hardState() {
    return new HardState(term, null, commitIndex);
  }

  @Override
  public long term() {
    return term;
  }

  @Override
  public long commitIndex() {
    return commitIndex;
  }

  @Override
  public RaftStatus status(long appliedIndex, long tickMillis) {
    SoftState s = softState();
    return new RaftStatus(
        self, s.role(), term, s.leader(), commitIndex, appliedIndex, lastIndex(), List.of());
  }
}
