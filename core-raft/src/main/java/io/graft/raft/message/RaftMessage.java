package io.graft.raft.message;

import io.graft.raft.api.MemberId;

/**
 * The closed set of Raft messages. Every message names its sender and the sender's term. Dispatch
 * through {@link Handler} so that adding a message breaks compilation wherever it is not handled
 * (Java 17 has no final pattern switch).
 */
public sealed interface RaftMessage
    permits AppendEntries,
        AppendEntriesResponse,
        RequestVote,
        RequestVoteResponse,
        Heartbeat,
        HeartbeatResponse,
        TimeoutNow,
        InstallSnapshot,
        InstallSnapshotResponse,
        ChangeRequest,
        ChangeResponse,
        CommitNotice {

  MemberId from();

  long term();

  <R> R accept(Handler<R> handler);

  interface Handler<R> {
    R onAppendEntries(AppendEntries m);

    R onAppendEntriesResponse(AppendEntriesResponse m);

    R onRequestVote(RequestVote m);

    R onRequestVoteResponse(RequestVoteResponse m);

    R onHeartbeat(Heartbeat m);

    R onHeartbeatResponse(HeartbeatResponse m);

    R onTimeoutNow(TimeoutNow m);

    R onInstallSnapshot(InstallSnapshot m);

    R onInstallSnapshotResponse(InstallSnapshotResponse m);

    /** A forwarded membership request; handled by the runtime, not by the protocol. */
    R onChangeRequest(ChangeRequest m);

    R onChangeResponse(ChangeResponse m);

    R onCommitNotice(CommitNotice m);
  }
}
