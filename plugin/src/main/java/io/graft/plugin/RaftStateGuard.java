package io.graft.plugin;

import io.graft.raft.api.boot.RaftNodes;
import java.nio.file.Path;

/**
 * Refuses to start a replicated database whose Raft state ({@code data/raft/<db>}) is gone while
 * its store shows applied Raft entries: the Raft state was removed (or moved), so this member
 * forgot its term and vote and could vote twice in one term, electing two leaders and losing
 * committed writes (Raft §5.2, Figure 2: currentTerm and votedFor on stable storage). The cheap,
 * common case; the transport's incarnation check covers a member whose whole data was wiped.
 */
final class RaftStateGuard {
  private RaftStateGuard() {}

  /**
   * Throws with the operator's way out if {@code raftDirectory} ({@code data/raft/<db>}) lost a
   * used Raft state; {@code consensusIndex} is the state machine's durable applied index.
   */
  static void check(Path raftDirectory, long consensusIndex, String self) {
    if (consensusIndex <= 0 || RaftNodes.hasRaftState(raftDirectory)) {
      return;
    }
    Path name = raftDirectory.getFileName();
    throw new IllegalStateException("graft: refusing to start database '" + name + "': its"
        + " Raft state in " + raftDirectory + " is missing (no term/vote file) but the database"
        + " already applied Raft entries up to index " + consensusIndex + ". The Raft state was"
        + " removed or moved; a member that forgot its term and vote could vote twice in one"
        + " term and lose committed writes. Either restore " + raftDirectory + " (from the same"
        + " backup as the store), or rejoin as a new member: on the leader run CALL"
        + " raft.removeMember('" + self + "'), wipe this member's data directory, start it and"
        + " run CALL raft.addMember('" + self + "').");
  }
}
