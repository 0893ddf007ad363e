package io.graft.plugin;

import io.graft.bridge.snapshot.StoreAccess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.neo4j.graphdb.Resource;
import org.neo4j.kernel.database.Database;
import org.neo4j.kernel.impl.transaction.log.checkpoint.CheckPointer;
import org.neo4j.kernel.impl.transaction.log.checkpoint.SimpleTriggerInfo;
import org.neo4j.kernel.impl.transaction.log.checkpoint.StoreCopyCheckPointMutex;
import org.neo4j.storageengine.api.TransactionIdStore;

/**
 * {@link StoreAccess} on Neo4j's own services: the CheckPointer and the StoreCopyCheckPointMutex
 * that Neo4j's store copy uses (a forced checkpoint, then no checkpoint until the copy is done),
 * the database layout, and the {@link Database} lifecycle for stop/start. The {@link Database}
 * object survives a stop/start; its services are resolved again on each call.
 */
final class Neo4jStoreAccess implements StoreAccess {
  private final Database database;
  private final AtomicBoolean restarting;

  Neo4jStoreAccess(Database database, AtomicBoolean restarting) {
    this.database = database;
    this.restarting = restarting;
  }

  @Override
  public String databaseName() {
    return database.getNamedDatabaseId().name();
  }

  @Override
  public UUID databaseId() {
    return database.getNamedDatabaseId().databaseId().uuid();
  }

  @Override
  public long lastCommittedTxId() {
    return database.getDependencyResolver().resolveDependency(TransactionIdStore.class)
        .getLastCommittedTransactionId();
  }

  @Override
  public Path databaseDirectory() {
    return database.getDatabaseLayout().databaseDirectory();
  }

  @Override
  public Path transactionLogsDirectory() {
    return database.getDatabaseLayout().getTransactionLogsDirectory();
  }

  @Override
  public void afterCheckpoint(FileCopy copy) throws IOException {
    var deps = database.getDependencyResolver();
    CheckPointer checkPointer = deps.resolveDependency(CheckPointer.class);
    StoreCopyCheckPointMutex mutex = deps.resolveDependency(StoreCopyCheckPointMutex.class);
    try (Resource held = mutex.storeCopy(
        () -> checkPointer.forceCheckPoint(new SimpleTriggerInfo("graft snapshot")))) {
      copy.run();
    }
  }

  @Override
  public void stop() {
    restarting.set(true);
    database.stop();
  }

  @Override
  public void start() {
    try {
      database.start();
    } finally {
      restarting.set(false);
    }
  }
}
