package io.graft.plugin.routing;

import io.graft.raft.api.RaftAddress;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each Raft member accepts Bolt connections, by member id (its advertised Raft address), and
 * where it serves HTTP (the health endpoints and the cluster view, see plugin/README.md
 * "Monitoring"): a member announces both in one handshake string ({@link #announcement()}).
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
  private final String selfHttp;
  private final Map<String, String> learnedHttp = new ConcurrentHashMap<>();

  public BoltAddressBook(String self, String selfBolt, Map<String, String> configured) {
    this(self, selfBolt, null, configured);
  }

  /**
   * @param selfHttp this member's HTTP base URL ({@code http://host:port} or {@code https://...}),
   *     or null when Neo4j serves no HTTP
   */
  public BoltAddressBook(String self, String selfBolt, String selfHttp,
      Map<String, String> configured) {
    this.self = Objects.requireNonNull(self, "self");
    this.selfBolt = selfBolt;
    this.selfHttp = isHttpUrl(selfHttp) ? selfHttp.trim() : null;
    this.configured = Map.copyOf(configured);
  }

  /**
   * What this member says about itself in its Raft handshakes: its Bolt address, then its HTTP
   * base URL, separated by a space; either may be missing. A bare {@code host:port} (what members
   * announced before the HTTP part existed) still reads as a Bolt address.
   */
  public String announcement() {
    StringBuilder out = new StringBuilder(selfBolt == null ? "" : selfBolt);
    if (selfHttp != null) {
      out.append(out.length() == 0 ? "" : " ").append(selfHttp);
    }
    return out.toString();
  }

  /** Records what {@code member} announced ({@link #announcement()}'s format). */
  public void heard(String member, String announcement) {
    if (member == null || announcement == null || member.equals(self)) {
      return;
    }
    for (String token : announcement.trim().split("\\s+")) {
      if (isHttpUrl(token)) {
        learnedHttp.put(member, token);
      } else {
        learned(member, token);
      }
    }
  }

  /** The HTTP base URL of {@code member}, or null when it did not announce one to this member. */
  public String httpAddressOf(String member) {
    if (member == null) {
      return null;
    }
    return member.equals(self) ? selfHttp : learnedHttp.get(member);
  }

  /** {@code http://host:port} or {@code https://host:port} with a numeric port, nothing more. */
  static boolean isHttpUrl(String s) {
    if (s == null) {
      return false;
    }
    String v = s.trim();
    String rest = v.startsWith("http://") ? v.substring(7)
        : v.startsWith("https://") ? v.substring(8) : null;
    return rest != null && !rest.contains("/") && isHostPort(rest);
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
