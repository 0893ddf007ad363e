package io.graft.raft.api;

/**
 * One committed application entry handed to a {@link StateMachine}, in strict log order.
 *
 * @param index the Raft log index (1-based, dense)
 * @param term the term in which the entry was proposed
 * @param payload the bytes given to {@link RaftNode#propose(byte[])}; never modified by Raft
 */
public record CommittedEntry(long index, long term, byte[] payload) {}
