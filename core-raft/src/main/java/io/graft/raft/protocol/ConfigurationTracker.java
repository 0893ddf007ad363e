package io.graft.raft.protocol;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Role;
import io.graft.raft.message.LogEntry;
import io.graft.raft.protocol.progress.Progress;
import java.util.List;

/**
 * The configuration bookkeeping of {@link RaftMachine} (thesis §4.1): a member uses the latest
 * configuration in its log, committed or not, so every append, truncation and snapshot restore may
 * change it. Keeps the machine's cached {@code configuration} and {@code majority} in step with
 * {@code configs}, and a leader's progress map with the members (learners included, §4.2.1).
 */
final class ConfigurationTracker {
  private final RaftMachine m;

  ConfigurationTracker(RaftMachine machine) {
    this.m = machine;
  }

  /**
   * After entries were written to the log (by the leader, or by a follower, possibly truncating a
   * suffix first): the latest configuration in the log is used at once, committed or not, and a
   * truncated configuration entry reverts to the previous one (thesis §4.1).
   */
  void onAppended(List<LogEntry> entries) {
    if (m.configs.onAppend(entries, m.log.commitIndex())) {
      refresh();
      if (m.role == Role.LEADER) {
        syncProgress();
      }
    }
  }

  /**
   * After the log was reset to an installed snapshot: its configuration, then any configuration
   * entries of a kept suffix (§5.1: the log prefix it replaced may have held configuration
   * entries).
   */
  void restore(SnapshotMeta snapshot) {
    m.configs.reset(snapshot.configuration(), snapshot.index());
    if (m.log.lastIndex() > snapshot.index()) {
      m.configs.onAppend(
          m.log.entries(snapshot.index() + 1, m.log.lastIndex() + 1, Long.MAX_VALUE),
          m.log.commitIndex());
    }
    refresh();
  }

  /** Leader: one Progress per other member, voters and learners (§4.2.1: learners get the log). */
  void syncProgress() {
    m.progress.keySet().removeIf(id -> !m.configuration.isMember(id));
    for (MemberId member : m.configuration.members()) {
      if (!member.equals(m.self) && !m.progress.containsKey(member)) {
        m.progress.put(member, new Progress(m.log.lastIndex() + 1, m.config.inflightAppendsMax()));
      }
    }
    if (m.leadTransferee != null && !m.configuration.isVoter(m.leadTransferee)) {
      m.leadTransferee = null;
    }
  }

  /**
   * May this member campaign? A voter of its latest configuration may; so may a voter that an
   * uncommitted configuration entry is removing: it may hold the only up-to-date log (e.g. a
   * leader that appended its own removal, §4.2.2, then lost leadership), and without it the
   * remaining voters could not elect anyone. Its votes are counted in its latest configuration,
   * which overlaps the previous one in a majority (§4.1), so Election Safety holds; if elected it
   * commits the removal and steps down. Learners, joining members and members whose removal
   * committed never campaign (§4.2.3).
   */
  boolean promotable() {
    return m.configs.isVoterOrBeingRemoved(m.self, m.log.commitIndex());
  }

  /** The latest configuration is cached because commit and tallies use it per message. */
  private void refresh() {
    m.configuration = m.configs.latest();
    m.majority = m.configuration.majority();
  }
}
