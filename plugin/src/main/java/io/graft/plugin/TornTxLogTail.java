package io.graft.plugin;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;
import org.neo4j.configuration.Config;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.logging.InternalLog;

/**
 * The torn tail that a failed append (e.g. a full disk) leaves at the end of Neo4j's transaction
 * log of the replicated database, and the one rule under which graft lets Neo4j cut it at the
 * next start.
 *
 * <p>Neo4j refuses to recover a log whose last entry is only partly written unless {@code
 * internal.dbms.tx_log.fail_on_corrupted_log_files} is false; with false, recovery replays what
 * it can read after the last checkpoint and truncates everything after the first unreadable entry
 * (any later log file included), keeping the cut bytes in {@code
 * <database>/corrupted-neostore.transaction.db/*.zip}. For graft, cutting is safe exactly when
 * nothing cut was durable in Neo4j's log: everything after Neo4j's durable consensusIndex is still
 * in the Raft log (compaction never passes it), the lease and users files record only indexes
 * written after a force, and the member re-applies from the Raft log what recovery did not bring
 * back. So:
 *
 * <ol>
 *   <li>when an apply fails (Neo4j's append threw; the database is panicked), graft records the
 *       consensusIndex durable in Neo4j's log at that moment ({@link #recordFailedApply});</li>
 *   <li>at the next start, and only if that record exists, Neo4j's recovery of this database may
 *       truncate ({@link #relaxBeforeRecovery}, undone after recovery by {@link
 *       #restoreAfterRecovery}); without the record the setting is left as configured, so an
 *       unexplained corruption still stops Neo4j;</li>
 *   <li>after recovery graft checks that Neo4j still holds everything durable before the failed
 *       apply: a recovered consensusIndex below the recorded one means recovery cut more than the
 *       torn tail (a corruption inside the durable part), and the database refuses to start
 *       ({@link #checkAfterRecovery}); otherwise the record is removed and the member catches up
 *       from its Raft log.</li>
 * </ol>
 */
final class TornTxLogTail {
  /** In {@code data/raft/<database>}: the durable consensusIndex when an apply failed. */
  static final String FILE_NAME = "neo4j-log-failed-append";
  static final String SETTING = GraphDatabaseInternalSettings.fail_on_corrupted_log_files.name();

  private TornTxLogTail() {}

  /**
   * Records (durably: temporary file, force, atomic rename, directory force) that an apply failed
   * while everything up to {@code durableConsensusIndex} was durable in Neo4j's log. Keeps the
   * lowest index if a record exists already (an earlier failure whose start never happened).
   */
  static void recordFailedApply(Path raftDirectory, long durableConsensusIndex)
      throws IOException {
    OptionalLong earlier = recorded(raftDirectory);
    long index = earlier.isPresent()
        ? Math.min(earlier.getAsLong(), durableConsensusIndex) : durableConsensusIndex;
    Path target = raftDirectory.resolve(FILE_NAME);
    Path tmp = raftDirectory.resolve(FILE_NAME + ".tmp");
    byte[] body = (index + "\n").getBytes(StandardCharsets.US_ASCII);
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(body);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel dir = FileChannel.open(raftDirectory, StandardOpenOption.READ)) {
      dir.force(true);
    }
  }

  /** {@link #recordFailedApply(Path, long)}, logging the outcome instead of throwing. */
  static void recordFailedApply(Path raftDirectory, long durableConsensusIndex,
      InternalLog log) {
    try {
      recordFailedApply(raftDirectory, durableConsensusIndex);
      log.info("graft: recorded in %s that an apply failed while Neo4j's log was durable up to"
          + " Raft index %d: the next start lets Neo4j cut a torn tail after it", raftDirectory
          .resolve(FILE_NAME), durableConsensusIndex);
    } catch (IOException | RuntimeException e) {
      log.error("graft: cannot record the failed apply in %s (%s): if Neo4j then refuses to"
          + " recover its transaction log (a torn last entry), rebuild this member from the"
          + " cluster (raft.removeMember, wipe data/, start, raft.addMember)",
          raftDirectory.resolve(FILE_NAME), e);
    }
  }

  /** The recorded durable consensusIndex, if an apply failed since the last clean start. */
  static OptionalLong recorded(Path raftDirectory) throws IOException {
    Path file = raftDirectory.resolve(FILE_NAME);
    if (!Files.exists(file)) {
      return OptionalLong.empty();
    }
    String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
    try {
      return OptionalLong.of(Long.parseLong(text));
    } catch (NumberFormatException e) {
      throw new IOException("graft: " + file + " is not a consensus index: '" + text + "'", e);
    }
  }

  /**
   * Before Neo4j recovers the replicated database: if an apply failed, let its recovery cut the
   * torn tail. Returns the value to restore afterwards, or null if nothing was changed (no failed
   * apply recorded, or the setting is false already).
   */
  static Boolean relaxBeforeRecovery(Path raftDirectory, Config config) throws IOException {
    if (recorded(raftDirectory).isEmpty()) {
      return null;
    }
    Boolean before = config.get(GraphDatabaseInternalSettings.fail_on_corrupted_log_files);
    if (!Boolean.TRUE.equals(before)) {
      return null;
    }
    config.set(GraphDatabaseInternalSettings.fail_on_corrupted_log_files, false);
    return before;
  }

  /** After recovery: the setting back to what it was (other databases and later starts). */
  static void restoreAfterRecovery(Config config, Boolean before) {
    if (before != null) {
      config.set(GraphDatabaseInternalSettings.fail_on_corrupted_log_files, before);
    }
  }

  /**
   * After Neo4j recovered the replicated database: if an apply had failed, Neo4j must still hold
   * every transaction that was durable in its log then. Returns what to log (null if no apply had
   * failed); throws, keeping the record, if recovery lost a durable transaction.
   *
   * @param recoveredConsensusIndex the consensusIndex of Neo4j's last transaction after recovery
   */
  static String checkAfterRecovery(Path raftDirectory, String database,
      long recoveredConsensusIndex) throws IOException {
    OptionalLong recorded = recorded(raftDirectory);
    if (recorded.isEmpty()) {
      return null;
    }
    long durable = recorded.getAsLong();
    if (recoveredConsensusIndex < durable) {
      throw new IllegalStateException(String.format("graft: Neo4j's transaction log of database"
          + " '%s' on this member lost durable transactions: after an apply failed (e.g. a full"
          + " disk) its log was durable up to Raft index %d, but recovery brought it back only to"
          + " Raft index %d, so it cut more than the torn tail of the failed append (a"
          + " corruption inside the log; the cut bytes are kept in the database directory's"
          + " corrupted-neostore.transaction.db folder). This member's store cannot be trusted"
          + " and the database stays stopped. Rebuild the member from the cluster: CALL"
          + " raft.removeMember('<this member>') on the others, stop this server, wipe its"
          + " data/, start it, then CALL raft.addMember('<this member>'). (Recorded in %s.)",
          database, durable, recoveredConsensusIndex, raftDirectory.resolve(FILE_NAME)));
    }
    Files.delete(raftDirectory.resolve(FILE_NAME));
    return String.format("graft: database '%s' recovered after a failed apply (e.g. a full disk):"
        + " Neo4j was allowed to cut the torn tail of its transaction log (%s=false for this"
        + " recovery only; any cut bytes are kept in the database directory's"
        + " corrupted-neostore.transaction.db folder); it holds everything durable then (Raft"
        + " index %d, recovered up to %d); the rest is re-applied from the Raft log", database,
        SETTING, durable, recoveredConsensusIndex);
  }
}
