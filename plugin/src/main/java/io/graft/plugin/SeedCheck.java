package io.graft.plugin;

import io.graft.bridge.snapshot.BackupManifest;
import java.util.Optional;
import java.util.UUID;

/**
 * Decides, before the Raft member is built, whether the replicated database's store matches the
 * Raft state this member claims (README "Moving an existing database onto graft"): a member whose
 * store does not match the log it claims to have applied must never vote or serve reads, so it is
 * refused with the way out, or, where that is what the user asked for, the store founds a new
 * cluster (seeding).
 *
 * <ul>
 *   <li>No Raft state and a store that holds transactions that never came through Raft (a
 *       database created by plain Neo4j, or loaded from a dump): with {@code initial_members}
 *       naming only this server it founds a one-member cluster on that data, keeping its identity
 *       ({@link Outcome#SEED}); a joining server, or one of several founders, is refused.
 *   <li>No Raft state and a store that applied Raft entries: a graft backup (its manifest at the
 *       root of {@code data/}) seeds a new cluster likewise; anything else is a member that lost
 *       its Raft state, which {@link RaftStateGuard} refuses.
 *   <li>Raft state: the store must still be the one it belongs to ({@link StoreBase}): same
 *       identity, and no transaction beyond its base that did not come through Raft.
 * </ul>
 */
final class SeedCheck {
  /** A fresh store's last transaction: its creation and the two token lookup indexes. */
  static final long FRESH_STORE_LAST_TX = 3;

  enum Outcome {
    /** Start as usual (fresh store, or Raft state that matches the store). */
    NORMAL,
    /** Found a new one-member cluster on the store's data. */
    SEED
  }

  /**
   * The store as Neo4j recovered it.
   *
   * @param consensusIndex the Raft index of the last transaction, -1 if it did not come from Raft
   * @param leaseIndex the Raft index in graft's lease file (0 without Raft state)
   */
  record Store(UUID databaseId, long lastTxId, long consensusIndex, long leaseIndex) {
    /** Holds transactions beyond a fresh store's that did not come through Raft. */
    boolean holdsForeignData() {
      return consensusIndex <= 0 && leaseIndex <= 0 && lastTxId > FRESH_STORE_LAST_TX;
    }
  }

  /** @param seedIndex the Raft index the seeded state is taken at (SEED only) */
  record Decision(Outcome outcome, long seedIndex, String description) {}

  private SeedCheck() {}

  /**
   * @param base what the Raft state recorded about its store, if it has one
   * @param backup the graft backup manifest at the root of {@code data/}, if any
   * @throws IllegalStateException with the way out, when the store must not be used
   */
  static Decision decide(RaftPluginConfig config, Store store, boolean hasRaftState,
      Optional<StoreBase> base, Optional<BackupManifest> backup) {
    String db = config.database();
    boolean alone = config.initialMembers().size() == 1
        && config.initialMembers().get(0).equals(config.self());
    if (hasRaftState) {
      checkBase(config, store, base);
      return new Decision(Outcome.NORMAL, 0, "Raft state matches the store");
    }
    if (store.consensusIndex() > 0) {
      if (backup.isPresent() && backup.get().matches(db, store.databaseId(), store.lastTxId())) {
        if (!alone) {
          throw refuse(config, "database '" + db + "' is a graft backup (at index "
              + store.consensusIndex() + ", tx " + store.lastTxId() + ") and"
              + " server.raft.initial_members names " + config.initialMembers() + ". A backup"
              + " seeds a NEW cluster: set server.raft.initial_members=" + config.self()
              + " on this server alone, start it, then start the others on empty data/"
              + " folders and add them with CALL raft.addMember(...)");
        }
        return new Decision(Outcome.SEED, store.consensusIndex(), "seeding a new cluster from"
            + " the graft backup at index " + store.consensusIndex() + " (tx "
            + store.lastTxId() + ")");
      }
      return new Decision(Outcome.NORMAL, 0, "no Raft state; RaftStateGuard decides");
    }
    if (!store.holdsForeignData()) {
      return new Decision(Outcome.NORMAL, 0, "fresh store");
    }
    String holds = "database '" + db + "' already holds data that did not come through Raft ("
        + store.lastTxId() + " transactions, identity " + store.databaseId() + ")";
    if (config.joining()) {
      throw refuse(config, holds + ", and this server joins a running cluster (it is not in"
          + " server.raft.initial_members " + config.initialMembers() + "). A joining server"
          + " receives the cluster's data by store copy and must start on an EMPTY data/"
          + " folder: move this data/ away (nothing was changed), start on an empty one and"
          + " run CALL raft.addMember('" + config.self() + "') on a member. To make THIS data"
          + " a cluster instead, start this server with server.raft.initial_members="
          + config.self() + " alone");
    }
    if (!alone) {
      throw refuse(config, holds + ", and server.raft.initial_members names several founders "
          + config.initialMembers() + ": founders that start from different data would"
          + " disagree. To move an existing database onto graft, start THIS server alone with"
          + " server.raft.initial_members=" + config.self() + " (it forms a one-member cluster"
          + " that keeps the data and its element ids), then start the other servers on empty"
          + " data/ folders and add them with CALL raft.addMember(...) (README \"Moving an"
          + " existing database onto graft\")");
    }
    return new Decision(Outcome.SEED, 1, "seeding a new one-member cluster on the existing"
        + " data (" + store.lastTxId() + " transactions, identity " + store.databaseId() + ")");
  }

  private static void checkBase(RaftPluginConfig config, Store store, Optional<StoreBase> base) {
    if (base.isEmpty()) {
      return; // Raft state from before store-base existed: recorded from now on
    }
    StoreBase b = base.get();
    String wayOut = " Put back the store this member's Raft state belongs to, or rejoin as a"
        + " new member: on the leader run CALL raft.removeMember('" + config.self() + "'), wipe"
        + " this member's data directory, start it and run CALL raft.addMember('"
        + config.self() + "')";
    if (!b.databaseId().equals(store.databaseId())) {
      throw refuse(config, "database '" + config.database() + "' has identity "
          + store.databaseId() + " but this member's Raft state belongs to " + b.databaseId()
          + ": the database was replaced underneath it." + wayOut);
    }
    if (store.consensusIndex() <= 0 && store.lastTxId() != b.lastTxId()) {
      throw refuse(config, "database '" + config.database() + "' is at transaction "
          + store.lastTxId() + ", which did not come through Raft, but this member's Raft"
          + " state began at transaction " + b.lastTxId() + ": the store was replaced or"
          + " written without graft." + wayOut);
    }
  }

  private static IllegalStateException refuse(RaftPluginConfig config, String why) {
    return new IllegalStateException("graft: refusing to start database '" + config.database()
        + "' on " + config.self() + ": " + why + ".");
  }
}
