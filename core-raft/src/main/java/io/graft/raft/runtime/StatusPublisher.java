package io.graft.raft.runtime;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Membership;
import io.graft.raft.api.RaftStatus;
import io.graft.raft.api.Role;
import io.graft.raft.storage.ClusterEpoch;
import io.graft.raft.transport.Transport;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;

/**
 * What the owner thread knows, published for every other thread: the {@link RaftStatus} and the
 * {@link Membership} (volatile snapshots, read by {@code RaftNode.status()}/{@code membership()}),
 * the transport's peer addresses when the configuration changes, and role or leader changes to
 * the listeners. A leader that steps down hands its pending proposals to {@link
 * ProposalRegistry#steppedDown}. {@link #publish} runs on the owner thread only.
 */
final class StatusPublisher {
  /** Role changes are logged under the runner's name, where operators have always found them. */
  private final Logger log;

  private final RaftNodeBuilder spec;
  private final MemberId self;
  private final Transport transport;
  private final ProposalRegistry registry;
  private final ApplyWorker applyWorker;
  private final ListenerNotifier notifier;
  /** True once the node was stopped by a fatal error. */
  private final BooleanSupplier stopped;

  private final RaftMetricsRecorder metrics;

  private volatile RaftStatus status;
  private volatile Membership membership;

  // Owned by the owner thread.
  private Role publishedRole;
  private MemberId publishedLeader;
  /** The last non-null leader published, for counting leader changes. */
  private MemberId lastKnownLeader;
  private long identitiesRetainedAt = -1;
  private long publishedEpoch = Membership.NO_EPOCH;

  StatusPublisher(
      RaftNodeBuilder spec,
      ProposalRegistry registry,
      ApplyWorker applyWorker,
      ListenerNotifier notifier,
      BooleanSupplier stopped,
      RaftMetricsRecorder metrics) {
    this.spec = spec;
    this.log = spec.logging.logger(RaftNodeRunner.class);
    this.self = spec.self;
    this.transport = spec.transport;
    this.registry = registry;
    this.applyWorker = applyWorker;
    this.notifier = notifier;
    this.stopped = stopped;
    this.metrics = metrics;
  }

  /** Owner thread: publishes the machine's current status and membership. */
  void publish(ConsensusMachine machine) {
    RaftStatus next = machine.status(applyWorker.appliedIndex(), spec.tickMillis);
    status = next;
    Membership current = machine.membership();
    if (current != null) {
      if (current != membership && (membership == null || !current.equals(membership))) {
        log.info("graft node {}: configuration of index {}{}: voters {}, learners {}", self,
            current.index(), current.index() > next.commitIndex() ? " (not committed yet)" : "",
            new TreeSet<>(current.voters()), new TreeSet<>(current.learners()));
        Map<MemberId, String> peers = PeerAddresses.withMembers(self, spec.peers, current);
        if (peers != null) {
          transport.setPeers(peers);
        }
      }
      membership = current;
      forgetRemovedIdentities(current, next.commitIndex());
      bindEpoch(next, current);
    }
    metrics.elections(machine.electionsStarted(), machine.preVotesStarted());
    if (next.leader() != null && !next.leader().equals(lastKnownLeader)) {
      metrics.leaderChanges.increment();
      lastKnownLeader = next.leader();
    }
    if (next.role() != publishedRole || !Objects.equals(next.leader(), publishedLeader)) {
      if (publishedRole == Role.LEADER && next.role() != Role.LEADER) {
        registry.steppedDown(next.commitIndex());
      }
      log.info(
          "graft node {}: {} -> {} in term {}, leader {}",
          self,
          publishedRole,
          next.role(),
          next.term(),
          next.leader());
      publishedRole = next.role();
      publishedLeader = next.leader();
      notifier.notify(next);
    }
  }

  /**
   * Once the latest configuration is committed, forgets the recorded incarnation of every member
   * outside it, so that a removed member may be added back with fresh Raft state (thesis §4.1: it
   * is then a new server). Before that, a reset member stays refused (Raft §5.2).
   */
  private void forgetRemovedIdentities(Membership current, long commitIndex) {
    var identities = spec.peerIdentities;
    if (identities == null || current.index() > commitIndex
        || current.index() == identitiesRetainedAt) {
      return;
    }
    identitiesRetainedAt = current.index();
    Set<MemberId> keep = new java.util.HashSet<>(current.voters());
    keep.addAll(current.learners());
    keep.add(self);
    try {
      Set<MemberId> forgotten = identities.retainOnly(keep);
      if (!forgotten.isEmpty()) {
        log.info("graft node {}: forgot the Raft identity of {} (not in the committed"
            + " configuration at index {}); they may be added back with fresh state", self,
            forgotten, current.index());
      }
    } catch (RuntimeException e) {
      identitiesRetainedAt = -1; // retried at the next publication
      log.error("graft node {}: cannot forget removed members' identities", self, e);
    }
  }

  /**
   * Binds this member's Raft state to a cluster epoch the first time it can ({@link
   * ClusterEpoch}): when it leads, to its configuration's; when it holds entries accepted from a
   * leader, to the epoch that leader presented in its handshake. The transport presents the bound
   * epoch (none while unbound), so the members of a cluster as it was before a forceNewCluster
   * are refused and never merged back, while a new or wiped member replays any history freely.
   */
  private void bindEpoch(RaftStatus status, Membership current) {
    ClusterEpoch epoch = spec.clusterEpoch;
    if (!epoch.isBound()) {
      if (status.role() == Role.LEADER && current.epoch() != Membership.NO_EPOCH) {
        epoch.bind(current.epoch());
      } else if (status.leader() != null && status.lastLogIndex() > 0) {
        long leaders = transport.peerEpoch(status.leader());
        if (leaders != Membership.NO_EPOCH) {
          epoch.bind(leaders);
        }
      }
    }
    if (epoch.get() != publishedEpoch) {
      publishedEpoch = epoch.get();
      log.info("graft node {}: bound to cluster epoch {}", self, Long.toHexString(publishedEpoch));
      transport.setEpoch(publishedEpoch);
    }
  }

  /** True once the owner has published a status (the machine exists). */
  boolean published() {
    return status != null;
  }

  Membership membership() {
    Membership m = membership;
    return m != null ? m : new Membership(0, spec.initialVoters, Set.of());
  }

  /** The latest status with the current applied index; any thread. */
  RaftStatus status() {
    RaftStatus s = status;
    if (s == null) {
      return new RaftStatus(self, Role.FOLLOWER, 0, null, 0, 0, 0, List.of());
    }
    long applied = applyWorker.appliedIndex();
    // A node stopped by a fatal error must not keep advertising itself as leader: it reports
    // FOLLOWER with no leader (the cause is in failure()).
    boolean stopped = this.stopped.getAsBoolean();
    if (!stopped && s.appliedIndex() == applied) {
      return s;
    }
    return new RaftStatus(
        s.self(),
        stopped ? Role.FOLLOWER : s.role(),
        s.term(),
        stopped ? null : s.leader(),
        s.commitIndex(),
        applied,
        s.lastLogIndex(),
        s.members());
  }
}
