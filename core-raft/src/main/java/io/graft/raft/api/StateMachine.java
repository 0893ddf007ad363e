package io.graft.raft.api;

import java.util.ArrayList;
import java.util.List;

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
   * Applies a run of consecutive committed application entries (dense indexes, strict log order,
   * never empty) as one unit, so a state machine can make them durable together (group commit:
   * one fsync for the run instead of one per entry). The runtime completes the proposers' futures
   * and may take a snapshot only after this returns, so on return every entry must be as durable
   * as after {@link #apply}. Internal entries never appear in a run: they split it.
   *
   * <p>Default: {@link #apply} for each entry, in order.
   *
   * @return one result per entry, in the entries' order (nulls allowed), as {@link #apply} would
   *     have returned them
   * @throws Exception fatal, as for {@link #apply}: entries before the failing one may or may not
   *     be durable; after a restart the runtime replays from {@link #lastAppliedIndex()}
   */
  default List<Object> applyBatch(List<CommittedEntry> entries) throws Exception {
    List<Object> results = new ArrayList<>(entries.size());
    for (CommittedEntry e : entries) {
      results.add(apply(e));
    }
    return results;
  }

  /**
   * The highest index this state machine has applied. Read at start, when it must be the highest
   * index it has DURABLY applied: the runtime replays committed entries after it.
   */
  long lastAppliedIndex();

  /**
   * The highest index whose effects survive a crash of this process without the log: the runtime
   * never compacts the log past it (a member recovering from a crash replays the log after it).
   * Read on the owner thread, after start. Default: {@link #lastAppliedIndex()}, for a state
   * machine that makes every apply durable before it returns. One that applies without forcing
   * (graft's Neo4j state machine: the Raft log is the durability point) reports what it last
   * forced.
   */
  default long durableIndex() {
    return lastAppliedIndex();
  }

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
