package io.graft.raft.api;

/**
 * The replicated application. Called by the runtime's single apply thread, in strict log order, for
 * every committed entry on every member, the leader included.
 *
 * <p>Apply must be deterministic: the same entries in the same order give the same state on every
 * member. It must be idempotent for {@code index <= lastAppliedIndex()} (the runtime never calls it
 * for such indexes, but an application that stores its own applied index may see a replay after a
 * crash). An exception from {@link #apply} is treated as fatal: the node stops rather than diverge.
 */
public interface StateMachine {

  /**
   * Applies one committed entry.
   *
   * @return a value handed to the proposer's future on the member that proposed the entry (ignored
   *     elsewhere)
   */
  Object apply(CommittedEntry entry) throws Exception;

  /**
   * The highest index this state machine has durably applied. Read once at start: the runtime
   * replays committed entries after it.
   */
  long lastAppliedIndex();

  /**
   * Called when an entry with no application payload (a leader's no-op, a configuration change) is
   * committed, so an application that records its applied index may advance it. Default: nothing.
   */
  default void onInternalEntry(long index, long term) {}

  /**
   * Snapshot support, or null (the default) if this state machine cannot produce snapshots; then
   * the log is never compacted past what every member has, and a new member replays the log.
   */
  default SnapshotSupport snapshots() {
    return null;
  }
}
