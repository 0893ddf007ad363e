package io.graft.raft.transport.netty;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.storage.StorageException;
import io.graft.raft.transport.PeerIdentities;
import io.graft.raft.transport.WireMessage;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * This member's incarnation (sent in both handshake directions) and the check of a peer's: a peer
 * known under another incarnation had its Raft state reset and may have forgotten its vote, so it
 * is refused (Raft §5.2: one vote per term, Figure 2: votedFor on stable storage). Without
 * {@link #set} (tests, members without durable state) nothing is sent and nothing is checked.
 * Set before the transport starts; read from event loop threads.
 */
final class IdentityGuard {
  private final Logger log;

  private volatile UUID local = WireMessage.NO_INCARNATION;
  private volatile long localEpoch = WireMessage.NO_EPOCH;
  private final java.util.Map<MemberId, Long> peerEpochs =
      new java.util.concurrent.ConcurrentHashMap<>();
  private volatile PeerIdentities known;
  private volatile Consumer<String> refusals = line -> { };

  IdentityGuard(RaftLogging logging) {
    this.log = logging.logger(IdentityGuard.class);
  }

  /** Where refusal lines logged at WARN also go (a host whose log does not show slf4j). */
  void onRefusal(Consumer<String> sink) {
    this.refusals = Objects.requireNonNull(sink, "sink");
  }

  /** Passes a WARN-level refusal line on; a failing sink is ignored (logging must not fail). */
  void reportRefusal(String line) {
    try {
      refusals.accept(line);
    } catch (RuntimeException e) {
      log.debug("Refusal sink failed", e);
    }
  }

  void set(UUID localIncarnation, PeerIdentities peers) {
    Objects.requireNonNull(localIncarnation, "localIncarnation");
    if (localIncarnation.equals(WireMessage.NO_INCARNATION)) {
      throw new IllegalArgumentException("incarnation must not be 0");
    }
    this.local = localIncarnation;
    this.known = Objects.requireNonNull(peers, "peers");
  }

  UUID local() {
    return local;
  }

  /** The epoch presented in handshakes; 0 until set, and without an incarnation. */
  long localEpoch() {
    return local.equals(WireMessage.NO_INCARNATION) ? WireMessage.NO_EPOCH : localEpoch;
  }

  /** The epoch {@code member} presented in its last handshake that passed the epoch check. */
  long peerEpoch(MemberId member) {
    return peerEpochs.getOrDefault(member, WireMessage.NO_EPOCH);
  }

  /** Returns true if the value changed. */
  boolean setEpoch(long epoch) {
    long before = localEpoch;
    localEpoch = epoch;
    return before != epoch;
  }

  /**
   * Null if a peer presenting {@code epoch} may be talked to, else the refusal reason: both are
   * members of a configuration (non-zero epochs) and the epochs differ, so one side belongs to
   * the cluster as it was before {@code raft.forceNewCluster()} re-formed it around a survivor.
   * Such a member must never be merged back (its log and the new cluster's diverged at the forced
   * configuration entry): wiped and added again, it is a new member of the new epoch.
   */
  String checkEpoch(MemberId member, long epoch) {
    long mine = localEpoch();
    if (mine == WireMessage.NO_EPOCH || epoch == WireMessage.NO_EPOCH || mine == epoch) {
      peerEpochs.put(member, epoch);
      return null;
    }
    return "member " + member + " belongs to another incarnation of this cluster (epoch "
        + Long.toHexString(epoch) + ", this member's is " + Long.toHexString(mine) + "):"
        + " raft.forceNewCluster() re-formed the cluster after it lost its majority, and the"
        + " members of the old configuration are not part of it. To bring the old member back,"
        + " stop it, wipe its data directory, start it and run CALL raft.addMember('"
        + (mine == io.graft.raft.api.Membership.FOUNDING_EPOCH ? "<its address>" : member)
        + "') on the leader of the re-formed cluster";
  }

  /**
   * Null if {@code member} presenting {@code incarnation} may be used (an unknown member is
   * recorded durably first), else the refusal reason, worded for the operator.
   */
  String check(MemberId member, UUID incarnation) {
    PeerIdentities peers = known;
    if (peers == null) {
      return null;
    }
    if (incarnation.equals(WireMessage.NO_INCARNATION)) {
      return "member " + member + " presents no Raft identity (incarnation); this member ("
          + local + ") requires one, so the peer runs an incompatible build";
    }
    UUID before;
    try {
      before = peers.admit(member, incarnation);
    } catch (StorageException e) {
      log.error("Cannot record the Raft identity of {}", member, e);
      return "member " + member + " cannot be recorded durably: " + e.getMessage();
    }
    if (before == null) {
      return null;
    }
    return "member " + member + " presents a new identity " + incarnation + " (was " + before
        + "): its Raft state was reset, so it is refused because it may have forgotten its vote."
        + " Remove it with CALL raft.removeMember('" + member + "') and add it back with"
        + " CALL raft.addMember('" + member + "')";
  }
}
