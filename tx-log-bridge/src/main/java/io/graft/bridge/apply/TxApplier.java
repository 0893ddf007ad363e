package io.graft.bridge.apply;

import io.graft.bridge.codec.CommandCodec;
import io.graft.bridge.codec.SubjectCodec;
import io.graft.bridge.model.TxEntry;
import java.util.ArrayList;
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
 * Applies committed {@link TxEntry}s through Neo4j's ORIGINAL commit process (the one captured
 * before the swap) in {@link TransactionApplicationMode#EXTERNAL}, stamping each entry's Raft index
 * as its batch's {@code consensusIndex}. The recipe is docs/NEO4J-INTERNALS.md §2.4 (c): it yields
 * the same tx ids, record ids and high ids on every member, and the Raft index becomes durable
 * atomically with the data in Neo4j's own transaction log.
 *
 * <p>Group commit ({@link #applyChain}): consecutive entries are linked with {@code
 * StorageEngineTransaction.next} and committed in one call. In Neo4j 5.26 {@code
 * InternalTransactionCommitProcess.commit} appends the whole chain under one log-file monitor
 * ({@code BatchingTransactionAppender.append}: each link gets the next append index and the next
 * tx id from {@code TransactionIdGenerator}, in chain order), forces the log ONCE, marks every
 * link committed (its own consensusIndex in {@code TransactionIdStore}), then applies the chain to
 * the store and closes each link in order. Ids are therefore exactly those of applying the
 * entries one by one.
 */
public final class TxApplier implements EntryApplier {
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
  @Override
  public long apply(TxEntry entry, long raftIndex) throws Exception {
    return applyChain(List.of(entry), new long[] {raftIndex})[0];
  }

  /**
   * One chain, one append, one force. A link's tx id is read from the link after the commit
   * ({@code CompleteTransaction.transactionId()} was assigned during the append); for a
   * non-chunked transaction it equals the append index the commit process returns (Neo4j's {@code
   * DefaultCommitter} relies on the same equality).
   */
  @Override
  public long[] applyChain(List<TxEntry> entries, long[] raftIndexes) throws Exception {
    List<AutoCloseable> resources = new ArrayList<>(entries.size() * 2);
    long[] txIds;
    try {
      txIds = commitChain(entries, raftIndexes, resources);
    } catch (Throwable t) {
      closeAll(resources, t);
      throw t;
    }
    closeAll(resources, null);
    return txIds;
  }

  private long[] commitChain(List<TxEntry> entries, long[] raftIndexes,
      List<AutoCloseable> resources) throws Exception {
    CompleteTransaction[] links = new CompleteTransaction[entries.size()];
    for (int i = 0; i < links.length; i++) {
      CursorContext ctx = contexts.create("graft-raft-apply");
      resources.add(ctx);
      StoreCursors cursors = storageEngine.createStorageCursors(ctx);
      resources.add(cursors);
      links[i] = new CompleteTransaction(commandBatch(entries.get(i), raftIndexes[i]), ctx,
          cursors, commitments.newCommitment(), txIdGenerator);
      if (i > 0) {
        links[i - 1].next(links[i]);
      }
    }
    original.commit(links[0], TransactionWriteEvent.NULL, TransactionApplicationMode.EXTERNAL);
    long[] txIds = new long[links.length];
    for (int i = 0; i < links.length; i++) {
      txIds[i] = links[i].transactionId();
    }
    return txIds;
  }

  private CompleteCommandBatch commandBatch(TxEntry entry, long raftIndex) throws Exception {
    KernelVersion version = KernelVersion.getForVersion(entry.kernelVersion());
    List<StorageCommand> commands =
        CommandCodec.deserialize(
            entry.commands(), entry.commandCount(), commandReaders.get(version));
    Subject subject = SubjectCodec.decode(entry.subjectUsername());
    return new CompleteCommandBatch(
        commands,
        raftIndex,
        entry.timeStarted(),
        entry.latestCommittedTxWhenStarted(),
        entry.timeCommitted(),
        entry.leaseId(),
        version,
        subject);
  }

  /**
   * Closes in reverse order of opening (cursors before their context), every one attempted. With
   * a {@code primary} failure, close failures are added to it; otherwise the first is thrown.
   */
  private static void closeAll(List<AutoCloseable> resources, Throwable primary)
      throws Exception {
    Exception first = null;
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        if (primary != null) {
          primary.addSuppressed(e);
        } else if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
