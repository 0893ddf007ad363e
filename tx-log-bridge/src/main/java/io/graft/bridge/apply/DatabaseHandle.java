package io.graft.bridge.apply;

import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The Neo4j services of ONE start of the replicated database, as the state machine applies
 * through them. A snapshot install restarts the database, which builds new ones ({@link
 * DatabaseSlot#rebind}).
 *
 * @param applier commits transaction entries through Neo4j's commit process ({@link TxApplier})
 * @param idAllocation turns id allocation on for the leader with a lease, off elsewhere
 * @param lastCommittedTxId Neo4j's last committed transaction id
 * @param lastConsensusIndex the consensusIndex of Neo4j's last committed transaction (durable in
 *     its log)
 * @param panic panics the database: a member stops rather than diverge
 */
public record DatabaseHandle(
    EntryApplier applier,
    IdAllocation idAllocation,
    LongSupplier lastCommittedTxId,
    LongSupplier lastConsensusIndex,
    Consumer<Throwable> panic) {}
