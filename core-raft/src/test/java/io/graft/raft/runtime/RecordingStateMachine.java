package io.graft.raft.runtime;

import io.graft.raft.api.CommittedEntry;
import io.graft.raft.api.StateMachine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Records every applied entry (index, term, payload) and keeps a "durable" applied index that
 * survives a node restart when the same instance is reused. Fails on a re-apply.
 */
final class RecordingStateMachine implements StateMachine {
  record Applied(long index, long term, byte[] payload) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Applied a
          && a.index == index
          && a.term == term
          && Arrays.equals(a.payload, payload);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(index) * 31 + Arrays.hashCode(payload);
    }
  }

  private final List<Applied> applied = new ArrayList<>();
  private volatile long lastApplied;
  private volatile RuntimeException failWith;

  @Override
  public synchronized Object apply(CommittedEntry entry) {
    if (failWith != null) {
      throw failWith;
    }
    if (entry.index() <= lastApplied) {
      throw new AssertionError("re-applied " + entry.index() + " <= " + lastApplied);
    }
    applied.add(new Applied(entry.index(), entry.term(), entry.payload()));
    lastApplied = entry.index();
    return "ok-" + entry.index();
  }

  @Override
  public void onInternalEntry(long index, long term) {
    if (index <= lastApplied) {
      throw new AssertionError("re-applied internal " + index + " <= " + lastApplied);
    }
    lastApplied = index;
  }

  @Override
  public long lastAppliedIndex() {
    return lastApplied;
  }

  void failNextApplyWith(RuntimeException e) {
    failWith = e;
  }

  synchronized List<Applied> applied() {
    return List.copyOf(applied);
  }
}
