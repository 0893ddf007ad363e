package io.graft.plugin.routing;

import io.graft.raft.api.RaftAddress;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each Raft member accepts Bolt connections, by member id (its advertised Raft address).
 *
 * <p>Three sources, most authoritative first: this member's own {@code
 * server.bolt.advertised_address}; what a member announced about itself in the Raft transport
 * handshake ({@link #learned}); the static {@code server.raft.member_bolt_addresses}. The handshake
 * is what makes a member added later routable without editing any configuration: every follower
 * connects to its leader (replies travel on the replier's own connection), and the leader connects
 * to every member, so a leader knows every member's Bolt address and every member knows its
 * leader's. Thread-safe: written by transport threads, read by Bolt threads.
 */
public final class BoltAddressBook {
  private final String self;
  private final String selfBolt;
  private final Map<String, String> configured;
  private final Map<String, String> learned = new ConcurrentHashMap<>();

  public BoltAddressBook(String self, String selfBolt, Map<String, String> configured) {
    this.self = Objects.requireNonNull(self, "self");
    this.selfBolt = selfBolt;
    this.configured = Map.copyOf(configured);
  }

  /** Records what {@code member} announced as its Bolt address; blank announcements are ignored. */
  public void learned(String member, String boltAddress) {
    if (member != null && isHostPort(boltAddress) && !member.equals(self)) {
      learned.put(member, boltAddress.trim());
    }
  }

  /** Only a {@link RaftAddress} (host:port) is kept: a routing table must never fail to parse. */
  static boolean isHostPort(String s) {
    return RaftAddress.tryParse(s).isPresent();
  }

  /** This member's own Bolt advertised address (what it announces), or null if Bolt is off. */
  public String selfBolt() {
    return selfBolt;
  }

  /** The Bolt address of {@code member}, or null when nobody told this member. */
  public String boltAddressOf(String member) {
    if (member == null) {
      return null;
    }
    if (member.equals(self)) {
      return selfBolt;
    }
    String fromHandshake = learned.get(member);
    return fromHandshake != null ? fromHandshake : configured.get(member);
  }
}
