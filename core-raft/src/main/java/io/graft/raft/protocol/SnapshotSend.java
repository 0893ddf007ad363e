package io.graft.raft.protocol;

import io.graft.raft.api.MemberId;
import java.util.Objects;

/**
 * A leader's effect: stream {@code snapshot} to {@code to} in chunks of term {@code term} (thesis
 * §5.3 InstallSnapshot). Issued when the follower needs entries that were compacted away, and again
 * after a stall bound (the receiver keeps its partial download, so the runtime resumes from the
 * follower's offset instead of restarting).
 */
public record SnapshotSend(MemberId to, long term, SnapshotMeta snapshot) {
  public SnapshotSend {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(snapshot, "snapshot");
  }
}
