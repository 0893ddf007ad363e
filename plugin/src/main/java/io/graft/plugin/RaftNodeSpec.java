package io.graft.plugin;

import io.graft.raft.api.MemberId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** What a {@link RaftNodeFactory} needs to build the Raft member of one database. */
public record RaftNodeSpec(
    String clusterId,
    MemberId self,
    String listenAddress,
    List<MemberId> initialMembers,
    Path raftDirectory,
    Duration electionTimeout,
    Duration heartbeatInterval) {}
