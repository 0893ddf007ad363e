package io.graft.bridge.durability;

import static org.neo4j.kernel.KernelVersion.VERSION_ENVELOPED_TRANSACTION_LOGS_INTRODUCED;
import static org.neo4j.storageengine.AppendIndexProvider.BASE_APPEND_INDEX;

import java.io.IOException;
import org.neo4j.internal.recordstorage.Command;
import org.neo4j.kernel.impl.transaction.log.LogAppendEvent;
import org.neo4j.kernel.impl.transaction.log.LogPosition;
import org.neo4j.kernel.impl.transaction.log.TransactionAppender;
import org.neo4j.kernel.impl.transaction.log.TransactionLogWriter;
import org.neo4j.kernel.impl.transaction.log.TransactionMetadataCache;
import org.neo4j.kernel.impl.transaction.log.files.LogFile;
import org.neo4j.kernel.lifecycle.LifecycleAdapter;
import org.neo4j.monitoring.Panic;
import org.neo4j.storageengine.AppendIndexProvider;
import org.neo4j.storageengine.api.StorageCommand;
import org.neo4j.storageengine.api.StorageEngineTransaction;
import org.neo4j.storageengine.api.TransactionIdStore;

/**
 * Appends the committed Raft entries the apply thread hands to Neo4j to its transaction log
 * WITHOUT forcing it: the Raft log, fsynced on a majority before an entry commits, is the
 * durability point, and Neo4j's log is forced only where Neo4j itself relies on it being durable
 * (before a checkpoint record, {@link ForcingCheckpointAppender}; before a lease or snapshot index
 * is recorded outside it; before the store sees a new token, schema rule or kernel version, whose
 * re-apply is not idempotent). A crash loses at most Neo4j's unforced tail; the member then re-applies
 * it from the Raft log, after the last consensusIndex Neo4j recovered.
 *
 * <p>What it does is what Neo4j 5.26's {@code BatchingTransactionAppender.append} does, minus the
 * force: under the log file's monitor (so appends, rotation and Neo4j's own forces never
 * interleave) each link of the chain gets the next append index and is written with {@link
 * TransactionLogWriter#append}, chained by checksum, its position cached and handed to the link
 * ({@code batchAppended}); then every link is published as committed. One difference makes a
 * kill -9 lose nothing Neo4j applied: before the monitor is released the writer's buffer is
 * emptied into the file ({@code prepareForFlush}: a write to the operating system, no fsync), so
 * the store, changed only after this returns, is never ahead of the log the OS holds.
 *
 * <p>The checksum chain continues from Neo4j's last committed transaction, read on every append:
 * on a graft member this appender is the only one after the store's own initialisation (every
 * other write is replicated and reaches Neo4j through the apply thread, in order).
 */
public final class UnforcedLogAppender extends LifecycleAdapter implements TransactionAppender {
  private final LogFile logFile;
  private final TransactionIdStore transactionIds;
  private final AppendIndexProvider appendIndexes;
  private final TransactionMetadataCache metadataCache;
  private final Panic panic;
  private final Neo4jLogForces forces;
  private final boolean writeThrough;

  /**
   * @param writeThrough empty the log buffer into the file after each append (the default); false
   *     only for crash tests: a kill -9 then loses Neo4j's unflushed tail as an operating-system
   *     crash would lose its unforced one, and the store may be ahead of the surviving log
   */
  public UnforcedLogAppender(LogFile logFile, TransactionIdStore transactionIds,
      AppendIndexProvider appendIndexes, TransactionMetadataCache metadataCache, Panic panic,
      Neo4jLogForces forces, boolean writeThrough) {
    this.logFile = logFile;
    this.forces = forces;
    this.writeThrough = writeThrough;
    this.transactionIds = transactionIds;
    this.appendIndexes = appendIndexes;
    this.metadataCache = metadataCache;
    this.panic = panic;
  }

  @Override
  public long append(StorageEngineTransaction batch, LogAppendEvent event) throws IOException {
    long lastAppendIndex = BASE_APPEND_INDEX;
    synchronized (logFile) {
      panic.assertNoPanic(IOException.class);
      try {
        TransactionLogWriter writer = logFile.getTransactionLogWriter();
        int checksum = transactionIds.getLastCommittedTransaction().checksum();
        for (StorageEngineTransaction link = batch; link != null; link = link.next()) {
          long appendIndex = appendIndexes.nextAppendIndex();
          writer.resetAppendedBytesCounter();
          checksum = writer.append(link.commandBatch(), link.transactionId(), link.chunkId(),
              appendIndex, checksum, link.previousBatchAppendIndex(), event);
          LogPosition before = writer.beforeAppendPosition();
          metadataCache.cacheTransactionMetadata(appendIndex, before);
          event.appendedBytes(writer.getAppendedBytes());
          link.batchAppended(appendIndex, before, writer.getCurrentPosition(), checksum);
          lastAppendIndex = appendIndex;
        }
        if (writeThrough) {
          writer.getChannel().prepareForFlush(); // to the operating system; not forced
        }
      } catch (Throwable t) {
        // As Neo4j's own appender: a failed append leaves the log in an unknown state.
        panic.panic(t);
        throw t;
      }
    }
    if (createsTokensOrSchema(batch)) {
      // Before the store sees them: a token or schema record must never reach the store files
      // ahead of the durable log (a re-apply after an OS crash would create it twice).
      forces.force(Neo4jLogForces.Reason.TOKENS_OR_SCHEMA);
    }
    if (batch != null && batch.commandBatch().kernelVersion()
        .isLessThan(VERSION_ENVELOPED_TRANSACTION_LOGS_INTRODUCED)) {
      // Before enveloped logs Neo4j rotates after an append (later formats rotate inside it).
      event.setLogRotated(logFile.getLogRotation().rotateLogIfNeeded(event));
    }
    for (StorageEngineTransaction link = batch; link != null; link = link.next()) {
      link.commit();
    }
    return lastAppendIndex;
  }

  /** Whether the chain creates a label, type or property key, a schema rule or a version change. */
  private static boolean createsTokensOrSchema(StorageEngineTransaction batch) {
    for (StorageEngineTransaction link = batch; link != null; link = link.next()) {
      for (StorageCommand c : link.commandBatch()) {
        if (c instanceof Command.TokenCommand<?> || c instanceof Command.SchemaRuleCommand
            || c instanceof Command.MetaDataCommand) {
          return true;
        }
      }
    }
    return false;
  }
}
