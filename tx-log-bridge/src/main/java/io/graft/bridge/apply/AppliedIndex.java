package io.graft.bridge.apply;

/**
 * The highest Raft index whose entry is applied (durably, or leaving no trace): written by the
 * apply thread and by a snapshot install, both under the state machine's apply lock; read by
 * anyone.
 */
final class AppliedIndex {
  private volatile long value;

  AppliedIndex(long initial) {
    this.value = initial;
  }

  long get() {
    return value;
  }

  /** Moves forward to {@code index}; never back. */
  void advanceTo(long index) {
    if (index > value) {
      value = index;
    }
  }

  /** A snapshot install: the state is now exactly that of {@code index}. */
  void reset(long index) {
    value = index;
  }
}
