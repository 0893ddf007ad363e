package io.graft.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The fault proxies of a {@link LocalCluster}, when its layout asks for them: one in front of the
 * members' Raft ports (links attributed to members by the connecting process's pid) and one in
 * front of their Bolt ports (every link is {@link LocalCluster#BOLT_CLIENT}'s). Started with the
 * cluster, given a frontend for every member added later, closed with the cluster.
 */
final class ClusterProxies implements AutoCloseable {
  /** The cluster's servers; grows when a member is added (read for the pid → member map). */
  private final List<ServerProcess> servers;
  private FaultProxy raft;
  private FaultProxy bolt;

  ClusterProxies(List<ServerProcess> servers) {
    this.servers = servers;
  }

  /** Starts the proxies {@code layout} asks for that do not run yet. */
  void startFor(ClusterLayout layout) {
    if (layout.proxied() && raft == null) {
      raft = new FaultProxy(new ProcSourceResolver(this::memberByPid));
      addFrontends(raft, layout, false, "cannot start the fault proxy");
    }
    if (layout.boltProxied() && bolt == null) {
      bolt = new FaultProxy(accepted -> OptionalInt.of(LocalCluster.BOLT_CLIENT));
      addFrontends(bolt, layout, true, "cannot start the Bolt fault proxy");
    }
  }

  /** A frontend for a member added after the start, on each proxy that runs. */
  void addMember(MemberSpec spec) {
    try {
      if (raft != null) {
        raft.addFrontend(spec.index(), spec.raftAdvertisedPort(), spec.raftListenPort());
      }
      if (bolt != null) {
        bolt.addFrontend(spec.index(), spec.boltAdvertisedPort(), spec.boltPort());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot add a fault-proxy frontend for " + spec.name(), e);
    }
  }

  /** The Raft fault proxy; only with {@link ClusterOptions#faultProxy()}. */
  FaultProxy raft() {
    if (raft == null) {
      throw new IllegalStateException(
          "started without the fault proxy (ClusterOptions.faultProxy)");
    }
    return raft;
  }

  /** The Bolt fault proxy; only with {@link ClusterOptions#boltProxy()}. */
  FaultProxy bolt() {
    if (bolt == null) {
      throw new IllegalStateException(
          "started without the Bolt fault proxy (ClusterOptions.boltProxy)");
    }
    return bolt;
  }

  @Override
  public void close() {
    if (raft != null) {
      raft.close();
      raft = null;
    }
    if (bolt != null) {
      bolt.close();
      bolt = null;
    }
  }

  private static void addFrontends(FaultProxy proxy, ClusterLayout layout, boolean boltPorts,
      String failure) {
    try {
      for (MemberSpec spec : layout.members()) {
        if (boltPorts) {
          proxy.addFrontend(spec.index(), spec.boltAdvertisedPort(), spec.boltPort());
        } else {
          proxy.addFrontend(spec.index(), spec.raftAdvertisedPort(), spec.raftListenPort());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(failure, e);
    }
  }

  private Map<Long, Integer> memberByPid() {
    Map<Long, Integer> map = new HashMap<>();
    for (ServerProcess server : servers) {
      if (server.pid() > 0) {
        map.put(server.pid(), server.home().spec().index());
      }
    }
    return map;
  }
}
