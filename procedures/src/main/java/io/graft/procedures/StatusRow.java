package io.graft.procedures;

import java.util.List;

/** One row of {@code raft.status()}; column names and order are docs/ARCHITECTURE.md §3. */
public record StatusRow(
    String memberId,
    String raftAddress,
    String boltAddress,
    String role,
    long term,
    String leaderId,
    String leaderBoltAddress,
    long commitIndex,
    long appliedIndex,
    long lastLogIndex,
    long lastTxId,
    List<String> votingMembers) {}
