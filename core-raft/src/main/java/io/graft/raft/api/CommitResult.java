package io.graft.raft.api;

/**
 * The outcome of a proposal: the entry was committed at {@code index} and applied to the local state
 * machine, which returned {@code result} (may be null).
 */
public record CommitResult(long index, long term, Object result) {}
