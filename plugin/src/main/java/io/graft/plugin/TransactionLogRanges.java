package io.graft.plugin;

import io.graft.bridge.snapshot.StoreAccess.LogRange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.neo4j.kernel.impl.transaction.log.CheckpointInfo;
import org.neo4j.kernel.impl.transaction.log.LogPosition;
import org.neo4j.kernel.impl.transaction.log.files.LogFile;
import org.neo4j.kernel.impl.transaction.log.files.LogFiles;
import org.neo4j.kernel.impl.transaction.log.files.checkpoint.CheckpointFile;
import org.neo4j.logging.NullLog;

/**
 * Which parts of a database's transaction log files a store copy needs, with the store files
 * copied after a checkpoint (store-copy snapshots and online backups alike): the log files from
 * the latest checkpoint (or the oldest transaction not yet visible, if older) to {@code end},
 * earlier versions whole (a rotated file is cut at its written end) and {@code end}'s version up
 * to its offset; the detached checkpoint file up to the position after that checkpoint (the
 * appender resumes there on start) and any later one whole (they hold only a header: rare, at
 * most 1 MiB each).
 */
final class TransactionLogRanges {
  private TransactionLogRanges() {}

  /** Where a copy ends; read after the latest checkpoint was found, so never before it. */
  @FunctionalInterface
  interface End {
    LogPosition read() throws IOException;
  }

  /**
   * @param endSource where the copy ends: the log's append position, or a boundary chosen earlier
   * @param endName what the end is, for the error when the checkpoint lies beyond it
   */
  static List<LogRange> upTo(LogFiles logFiles, End endSource, String endName)
      throws IOException {
    CheckpointFile checkpoints = logFiles.getCheckpointFile();
    // NullLog: Neo4j's scan logs a line per file read, noise for every copy.
    CheckpointInfo latest = checkpoints.findLatestCheckpoint(NullLog.getInstance())
        .orElseThrow(() -> new IOException("graft: no checkpoint after the forced checkpoint"));
    LogPosition end = endSource.read();
    LogPosition from = min(latest.transactionLogPosition(),
        latest.oldestNotVisibleTransactionLogPosition());
    if (latest.transactionLogPosition().compareTo(end) > 0) {
      throw new IOException("graft: the latest checkpoint " + latest.transactionLogPosition()
          + " is past " + endName + " " + end);
    }
    LogFile log = logFiles.getLogFile();
    List<LogRange> ranges = new ArrayList<>();
    for (long v = from.getLogVersion(); v <= end.getLogVersion(); v++) {
      Path file = log.getLogFileForVersion(v);
      ranges.add(new LogRange(file, v == end.getLogVersion() ? end.getByteOffset()
          : Files.size(file)));
    }
    LogPosition afterCheckpoint = latest.channelPositionAfterCheckpoint();
    for (Path file : checkpoints.getDetachedCheckpointFiles()) {
      long version = checkpoints.getDetachedCheckpointLogFileVersion(file);
      if (version == afterCheckpoint.getLogVersion()) {
        ranges.add(new LogRange(file, afterCheckpoint.getByteOffset()));
      } else if (version > afterCheckpoint.getLogVersion()) {
        ranges.add(new LogRange(file, Files.size(file)));
      }
    }
    return ranges;
  }

  private static LogPosition min(LogPosition a, LogPosition b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
