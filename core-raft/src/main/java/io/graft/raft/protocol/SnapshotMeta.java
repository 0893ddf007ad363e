package io.graft.raft.protocol;

import io.graft.raft.protocol.membership.Configuration;
import java.util.Objects;

/**
 * Describes one complete snapshot (thesis §5.1): the last index and term it covers and the latest
 * configuration as of that index, which the receiver adopts with it (§5.1: "the latest
 * configuration as of the last included index").
 */
public record SnapshotMeta(long index, long term, Configuration configuration) {
  public SnapshotMeta {
    if (index < 1 || term < 1) {
      throw new IllegalArgumentException("snapshot needs index >= 1 and term >= 1: i" + index
          + " t" + term);
    }
    Objects.requireNonNull(configuration, "configuration");
  }
}
