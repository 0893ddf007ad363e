package io.graft.procedures;

/**
 * One {@code raft.backup} row (ARCHITECTURE.md §3): where the backup is, the Raft index and last
 * transaction it holds, its size and how long it took; {@code dump} names the {@code .dump}
 * written beside it when asked for ({@code options.dump}), else null.
 */
public record BackupRow(
    String directory, long appliedIndex, long lastTxId, long bytes, long millis, String dump) {}
