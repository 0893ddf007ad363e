/**
 * Metrics of a Raft member: a log-scale latency {@link io.graft.raft.api.metrics.Histogram} and a
 * {@link io.graft.raft.api.metrics.Counter} that hosts record into, and the immutable {@link
 * io.graft.raft.api.metrics.RaftMetrics} snapshot that {@code RaftNode.metrics()} returns. Part of
 * the API other modules may import; exporters (Prometheus {@code graft_raft_*}) read snapshots.
 */
package io.graft.raft.api.metrics;
