package io.graft.raft.runtime;

import io.graft.raft.api.ForcedCluster;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftException;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.protocol.ForcedConfiguration;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;

/**
 * The runner's side of {@link io.graft.raft.api.RaftNode#forceNewCluster()}: picks the new
 * cluster epoch (random, never 0 or 1, so two survivors forced apart by mistake still refuse each
 * other), has the protocol re-form the cluster on the owner thread, logs loudly what may be lost,
 * and completes the caller's future once the new configuration entry has committed. {@link
 * #start} and {@link #afterBatch} run on the owner thread; {@link #failAll} on any thread.
 */
final class ForcedClusterRequest {
  private final Logger log;

  private record Pending(ForcedConfiguration forced, CompletableFuture<ForcedCluster> future) {}

  private final MemberId self;
  private final io.graft.raft.storage.ClusterEpoch binding;
  private final RandomGenerator epochs;
  private final AtomicReference<Pending> pending = new AtomicReference<>();

  ForcedClusterRequest(MemberId self, io.graft.raft.storage.ClusterEpoch binding,
      RaftLogging logging) {
    this(self, binding, new SecureRandom(), logging);
  }

  ForcedClusterRequest(MemberId self, io.graft.raft.storage.ClusterEpoch binding,
      RandomGenerator epochs, RaftLogging logging) {
    this.log = logging.logger(ForcedClusterRequest.class);
    this.self = self;
    this.binding = binding;
    this.epochs = epochs;
  }

  /** Owner thread: re-forms the cluster now, or fails {@code future} with the refusal. */
  void start(ConsensusMachine machine, CompletableFuture<ForcedCluster> future) {
    ForcedConfiguration forced;
    try {
      forced = machine.forceNewCluster(newEpoch());
    } catch (RaftException | IllegalArgumentException e) {
      log.warn("graft node {}: forceNewCluster refused: {}", self, e.getMessage());
      future.completeExceptionally(e);
      return;
    }
    // Durable before the configuration entry is (this batch's Ready): from now on the old
    // members are refused. A crash in between leaves this member bound to an epoch nobody else
    // has, with its old configuration: it can do nothing, and forceNewCluster can be run again.
    binding.bind(forced.next().epoch());
    log.warn("graft node {}: forced a new cluster: left {}, now {} in term {} (configuration"
        + " entry {}); entries up to {} were known committed, {}..{} were not and now commit",
        self, forced.previous(), forced.next(), forced.term(), forced.configIndex(),
        forced.commitIndex(), forced.commitIndex() + 1, forced.lastIndex());
    Pending previous = pending.getAndSet(new Pending(forced, future));
    if (previous != null) {
      previous.future().completeExceptionally(new IllegalStateException(
          "superseded by a later forceNewCluster on " + self));
    }
    afterBatch(machine);
  }

  /** Owner thread, after every batch: completes the request once its entry committed. */
  void afterBatch(ConsensusMachine machine) {
    Pending p = pending.get();
    if (p == null || machine.commitIndex() < p.forced().configIndex()) {
      return;
    }
    if (pending.compareAndSet(p, null)) {
      ForcedConfiguration f = p.forced();
      ForcedCluster result = new ForcedCluster(self, f.term(), f.next().epoch(),
          f.previous().voters(), f.previous().learners(), f.commitIndex(), f.lastIndex(),
          f.configIndex());
      log.warn("{}", result.describe());
      p.future().complete(result);
    }
  }

  void failAll(Throwable cause) {
    Pending p = pending.getAndSet(null);
    if (p != null) {
      p.future().completeExceptionally(cause);
    }
  }

  private long newEpoch() {
    long epoch;
    do {
      epoch = epochs.nextLong();
    } while (epoch == io.graft.raft.api.Membership.NO_EPOCH
        || epoch == io.graft.raft.api.Membership.FOUNDING_EPOCH);
    return epoch;
  }
}
