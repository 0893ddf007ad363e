package io.graft.cluster;

/**
 * The fixed addresses of one member. They are chosen once, when the home is assembled, and never
 * change: the advertised Raft address is the member id (docs/ARCHITECTURE.md §3), so a restart must
 * reuse it.
 *
 * @param index 1-based member number (home folder {@code member-<index>})
 * @param boltPort Bolt port on 127.0.0.1
 * @param httpPort HTTP port on 127.0.0.1
 * @param raftListenPort the port the member's Raft transport binds
 * @param raftAdvertisedPort the port other members dial: equal to the listen port without the
 *     fault proxy, the proxy's port in front of the member with it
 */
public record MemberSpec(
    int index, int boltPort, int httpPort, int raftListenPort, int raftAdvertisedPort) {

  public static final String HOST = "127.0.0.1";

  public String boltUri() {
    return "bolt://" + HOST + ":" + boltPort;
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

  public String name() {
    return index == 0 ? "seed" : "member-" + index;
  }
}
