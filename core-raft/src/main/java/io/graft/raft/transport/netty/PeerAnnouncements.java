package io.graft.raft.transport.netty;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import java.util.Objects;
import java.util.function.BiConsumer;
import org.slf4j.Logger;

/**
 * What this member announces about itself in its handshakes (an opaque string, e.g. the Neo4j
 * plugin's Bolt address), and where peers' announcements go. Both the connecting side (in {@link
 * io.graft.raft.transport.WireMessage.Handshake}) and the accepting side (in the reply) announce,
 * so every connection, whichever way it was dialled, teaches both ends. Set before the transport
 * starts; read from event loop threads.
 */
final class PeerAnnouncements {
  private final Logger log;

  private volatile String local = "";
  private volatile BiConsumer<MemberId, String> listener = (member, info) -> { };
  private volatile java.util.function.BiFunction<MemberId, String, String> admission =
      (member, info) -> null;

  PeerAnnouncements(RaftLogging logging) {
    this.log = logging.logger(PeerAnnouncements.class);
  }

  void set(String localInfo, BiConsumer<MemberId, String> onPeerInfo) {
    this.local = Objects.requireNonNull(localInfo, "localInfo");
    this.listener = Objects.requireNonNull(onPeerInfo, "onPeerInfo");
  }

  String local() {
    return local;
  }

  /** Decides from a peer's announcement whether to talk to it: null, or the refusal reason. */
  void admitWith(java.util.function.BiFunction<MemberId, String, String> admission) {
    this.admission = Objects.requireNonNull(admission, "admission");
  }

  /** Null if {@code member}'s announcement is acceptable, else why not (worded for operators). */
  String refusal(MemberId member, String info) {
    try {
      return admission.apply(member, info);
    } catch (RuntimeException e) {
      log.warn("Peer announcement check failed for {}", member, e);
      return null; // a broken check must not cut the cluster apart
    }
  }

  /** Passes a non-empty announcement of {@code member} on; a failing listener is logged only. */
  void heard(MemberId member, String info) {
    if (info.isEmpty()) {
      return;
    }
    try {
      listener.accept(member, info);
    } catch (RuntimeException e) {
      log.warn("Peer announcement listener failed for {}", member, e);
    }
  }
}
