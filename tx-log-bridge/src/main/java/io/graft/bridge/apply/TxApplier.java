package io.graft.bridge.apply;

import io.graft.bridge.codec.CommandCodec;
import io.graft.bridge.codec.SubjectCodec;
import io.graft.bridge.model.TxEntry;
import java.util.List;
import org.neo4j.common.Subject;
import org.neo4j.io.pagecache.context.CursorContext;
import org.neo4j.io.pagecache.context.CursorContextFactory;
import org.neo4j.kernel.KernelVersion;
import org.neo4j.kernel.impl.api.CompleteTransaction;
import org.neo4j.kernel.impl.api.TransactionCommitProcess;
import org.neo4j.kernel.impl.api.txid.TransactionIdGenerator;
import org.neo4j.kernel.impl.transaction.log.CompleteCommandBatch;
import org.neo4j.kernel.impl.transaction.log.TransactionCommitmentFactory;
import org.neo4j.kernel.impl.transaction.tracing.TransactionWriteEvent;
import org.neo4j.storageengine.api.CommandReaderFactory;
import org.neo4j.storageengine.api.StorageCommand;
import org.neo4j.storageengine.api.StorageEngine;
import org.neo4j.storageengine.api.TransactionApplicationMode;
import org.neo4j.storageengine.api.cursor.StoreCursors;

/**
 * Applies one committed {@link TxEntry} through Neo4j's ORIGINAL commit process (the one captured
 * before the swap) in {@link TransactionApplicationMode#EXTERNAL}, stamping the Raft index as the
 * batch's {@code consensusIndex}. The recipe is NEO4J-INTERNALS §2.4 (c): it yields the same tx
 * ids, record ids and high ids on every member, and the Raft index becomes durable atomically with
 * the data in Neo4j's own transaction log.
 */
public final class TxApplier {
  private final TransactionCommitProcess original;
  private final StorageEngine storageEngine;
  private final CommandReaderFactory commandReaders;
  private final TransactionCommitmentFactory commitments;
  private final TransactionIdGenerator txIdGenerator;
  private final CursorContextFactory contexts;

  public TxApplier(
      TransactionCommitProcess original,
      StorageEngine storageEngine,
      CommandReaderFactory commandReaders,
      TransactionCommitmentFactory commitments,
      TransactionIdGenerator txIdGenerator,
      CursorContextFactory contexts) {
    this.original = original;
    this.storageEngine = storageEngine;
    this.commandReaders = commandReaders;
    this.commitments = commitments;
    this.txIdGenerator = txIdGenerator;
    this.contexts = contexts;
  }

  /** @return the Neo4j transaction id the entry got (identical on every member) */
  public long apply(TxEntry entry, long raftIndex) throws Exception {
    KernelVersion version = KernelVersion.getForVersion(entry.kernelVersion());
    List<StorageCommand> commands =
        CommandCodec.deserialize(
            entry.commands(), entry.commandCount(), commandReaders.get(version));
    Subject subject = SubjectCodec.decode(entry.subjectUsername());
    CompleteCommandBatch batch =
        new CompleteCommandBatch(
            commands,
            raftIndex,
            entry.timeStarted(),
            entry.latestCommittedTxWhenStarted(),
            entry.timeCommitted(),
            entry.leaseId(),
            version,
            subject);
    try (CursorContext ctx = contexts.create("graft-raft-apply");
        StoreCursors cursors = storageEngine.createStorageCursors(ctx)) {
      CompleteTransaction tx =
          new CompleteTransaction(batch, ctx, cursors, commitments.newCommitment(), txIdGenerator);
      return original.commit(tx, TransactionWriteEvent.NULL, TransactionApplicationMode.EXTERNAL);
    }
  }
}
