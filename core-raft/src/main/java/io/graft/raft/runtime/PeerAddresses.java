package io.graft.raft.runtime;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Membership;
import io.graft.raft.api.RaftAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Where to reach members added at run time: at their id, which is their advertised Raft address
 * ({@link io.graft.raft.api.RaftNode#addMember}). The configured peers always win.
 */
final class PeerAddresses {
  private PeerAddresses() {}

  /**
   * The configured peers plus every other member of {@code membership} whose id looks like
   * host:port ({@link RaftAddress}); null when that adds nobody (nothing to tell the transport).
   */
  static Map<MemberId, String> withMembers(
      MemberId self, Map<MemberId, String> configured, Membership membership) {
    Map<MemberId, String> peers = new HashMap<>(configured);
    TreeSet<MemberId> members = new TreeSet<>(membership.voters());
    members.addAll(membership.learners());
    boolean added = false;
    for (MemberId m : members) {
      boolean reachable = RaftAddress.tryParse(m.value()).isPresent();
      if (!m.equals(self) && !peers.containsKey(m) && reachable) {
        peers.put(m, m.value());
        added = true;
      }
    }
    return added ? peers : null;
  }
}
