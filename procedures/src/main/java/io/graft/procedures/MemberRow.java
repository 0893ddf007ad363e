package io.graft.procedures;

/** One row of {@code raft.members()}; column names and order are docs/ARCHITECTURE.md §3. */
public record MemberRow(
    String memberId,
    String raftAddress,
    String boltAddress,
    String role,
    boolean voting,
    long matchIndex,
    long lag,
    long lastContactMillis) {}
