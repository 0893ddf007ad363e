package io.graft.cluster;

/**
 * The fixed addresses of one member. They are chosen once, when the home is assembled, and never
 * change: the advertised Raft address is the member id (docs/ARCHITECTURE.md §3), so a restart must
 * reuse it.
 *
 * @param index 1-based member number (home folder {@code member-<index>})
 * @param boltPort Bolt port on 127.0.0.1 (the one the server binds)
 * @param httpPort HTTP port on 127.0.0.1
 * @param raftListenPort the port the member's Raft transport binds
 * @param raftAdvertisedPort the port other members dial: equal to the listen port without the
 *     fault proxy, the proxy's port in front of the member with it
 * @param boltAdvertisedPort the Bolt port the member advertises ({@code
 *     server.bolt.advertised_address}, hence what graft's routing table hands to {@code neo4j://}
 *     drivers): equal to {@link #boltPort} without the Bolt fault proxy, the proxy's port in
 *     front of the member with it
 */
public record MemberSpec(
    int index,
    int boltPort,
    int httpPort,
    int raftListenPort,
    int raftAdvertisedPort,
    int boltAdvertisedPort) {

  public static final String HOST = "127.0.0.1";

  /** A member whose Bolt port is advertised as it is bound (no Bolt proxy). */
  public MemberSpec(
      int index, int boltPort, int httpPort, int raftListenPort, int raftAdvertisedPort) {
    this(index, boltPort, httpPort, raftListenPort, raftAdvertisedPort, boltPort);
  }

  /** The member's own Bolt port, bypassing any proxy: for the test's probes and direct reads. */
  public String boltUri() {
    return "bolt://" + HOST + ":" + boltPort;
  }

  /** What routing tables name for this member (the Bolt proxy's frontend when there is one). */
  public String boltAdvertisedAddress() {
    return HOST + ":" + boltAdvertisedPort;
  }

  public String raftListenAddress() {
    return HOST + ":" + raftListenPort;
  }

  public String raftAdvertisedAddress() {
    return HOST + ":" + raftAdvertisedPort;
  }

  public boolean proxied() {
    return raftListenPort != raftAdvertisedPort;
  }

  /** Whether clients reach this member's Bolt port through the Bolt fault proxy. */
  public boolean boltProxied() {
    return boltPort != boltAdvertisedPort;
  }

  public String name() {
    return index == 0 ? "seed" : "member-" + index;
  }
}
