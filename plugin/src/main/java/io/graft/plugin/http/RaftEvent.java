package io.graft.plugin.http;

/**
 * One change a member saw in its own Raft state: a new role, a new term or a new leader.
 *
 * @param atMillis wall-clock time (epoch milliseconds) this member saw it
 * @param term the term after the change
 * @param role this member's role after the change (ARCHITECTURE §3 names)
 * @param leaderId the leader this member believes in after the change, or null
 */
public record RaftEvent(long atMillis, long term, String role, String leaderId) {}
