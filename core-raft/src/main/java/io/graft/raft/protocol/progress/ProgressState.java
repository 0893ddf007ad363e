package io.graft.raft.protocol.progress;

/**
 * How the leader replicates to one follower (etcd-io/raft tracker/state.go model).
 *
 * <ul>
 *   <li>PROBE: the leader does not know the follower's match; at most one AppendEntries in flight
 *       (per heartbeat interval or response) until one succeeds.
 *   <li>REPLICATE: the match is known; entries are pipelined optimistically within the in-flight
 *       window.
 *   <li>SNAPSHOT: the follower needs entries that were compacted away; it is sent a snapshot
 *       (InstallSnapshot, thesis §5.3) and nothing else until the transfer settles.
 * </ul>
 */
public enum ProgressState {
  PROBE,
  REPLICATE,
  SNAPSHOT
}
