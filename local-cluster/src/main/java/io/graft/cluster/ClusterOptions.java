package io.graft.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * How to build and run a local cluster.
 *
 * @param members number of members (3 by default)
 * @param dir cluster folder: {@code member-N/} homes and {@code cluster.properties}
 * @param lib the shared folder of Neo4j's 213 jars ({@code local-cluster/target/neo4j-lib})
 * @param pluginJar the graft plugin jar, or null for plain servers (no {@code server.raft.*})
 * @param faultProxy route Raft traffic through a {@link FaultProxy} (tests); off = direct links
 * @param boltProxy put a second {@link FaultProxy} in front of every member's Bolt port and make
 *     the members advertise it ({@code server.bolt.advertised_address}, so graft's routing table
 *     names it): a test can then cut a {@code neo4j://} client from some members while the Raft
 *     links stay up ({@link LocalCluster#boltProxy()}); off = drivers reach the Bolt ports directly
 * @param fastStart C1-only JIT and serial GC: quicker start, slower run (tests only)
 * @param detached start servers in their own session so they outlive this JVM (the CLI)
 * @param extraSettings further {@code neo4j.conf} lines for every member
 * @param adminPassword null: authentication off (the default for tests). Otherwise
 *     {@code dbms.security.auth_enabled=true} and, before a member's first start, the initial
 *     password of the {@code neo4j} user, set as {@code neo4j-admin dbms set-initial-password}
 *     does; the cluster's own probe then logs in as {@code neo4j} with it
 */
public record ClusterOptions(
    int members,
    Path dir,
    Path lib,
    Path pluginJar,
    boolean faultProxy,
    boolean fastStart,
    boolean detached,
    String heap,
    String pageCache,
    Map<String, String> extraSettings,
    Duration startTimeout,
    Duration leaderTimeout,
    Consumer<String> progress,
    String adminPassword,
    boolean boltProxy) {

  /** The admin user whose initial password {@link #adminPassword} sets. */
  public static final String ADMIN_USER = "neo4j";

  public ClusterOptions {
    if (members < 1) {
      throw new IllegalArgumentException("members must be >= 1, was " + members);
    }
    extraSettings = Map.copyOf(extraSettings);
  }

  /** No Bolt proxy: the components before {@link #boltProxy} (kept for callers). */
  public ClusterOptions(int members, Path dir, Path lib, Path pluginJar, boolean faultProxy,
      boolean fastStart, boolean detached, String heap, String pageCache,
      Map<String, String> extraSettings, Duration startTimeout, Duration leaderTimeout,
      Consumer<String> progress, String adminPassword) {
    this(members, dir, lib, pluginJar, faultProxy, fastStart, detached, heap, pageCache,
        extraSettings, startTimeout, leaderTimeout, progress, adminPassword, false);
  }

  /** Authentication off: the components before {@link #adminPassword} (kept for callers). */
  public ClusterOptions(int members, Path dir, Path lib, Path pluginJar, boolean faultProxy,
      boolean fastStart, boolean detached, String heap, String pageCache,
      Map<String, String> extraSettings, Duration startTimeout, Duration leaderTimeout,
      Consumer<String> progress) {
    this(members, dir, lib, pluginJar, faultProxy, fastStart, detached, heap, pageCache,
        extraSettings, startTimeout, leaderTimeout, progress, null, false);
  }

  public static ClusterOptions defaults(Path dir, Path lib, Path pluginJar) {
    return new ClusterOptions(3, dir, lib, pluginJar, false, false, false, "384m", "64m",
        Map.of(), Duration.ofSeconds(180), Duration.ofSeconds(60), System.out::println);
  }

  /** The record's string, without the password (options end up in logs and test reports). */
  @Override
  public String toString() {
    return "ClusterOptions[members=" + members + ", dir=" + dir + ", pluginJar=" + pluginJar
        + ", faultProxy=" + faultProxy + ", boltProxy=" + boltProxy + ", fastStart=" + fastStart
        + ", detached=" + detached
        + ", heap=" + heap + ", pageCache=" + pageCache + ", extraSettings=" + extraSettings
        + ", auth=" + (authEnabled() ? "on" : "off") + "]";
  }

  public boolean authEnabled() {
    return adminPassword != null;
  }

  public boolean raftEnabled() {
    return pluginJar != null;
  }

  public ClusterOptions withMembers(int count) {
    return new ClusterOptions(count, dir, lib, pluginJar, faultProxy, fastStart, detached, heap,
        pageCache, extraSettings, startTimeout, leaderTimeout, progress, adminPassword, boltProxy);
  }

  public ClusterOptions withFaultProxy(boolean on) {
    return new ClusterOptions(members, dir, lib, pluginJar, on, fastStart, detached, heap,
        pageCache, extraSettings, startTimeout, leaderTimeout, progress, adminPassword, boltProxy);
  }

  public ClusterOptions withFastStart(boolean on) {
    return new ClusterOptions(members, dir, lib, pluginJar, faultProxy, on, detached, heap,
        pageCache, extraSettings, startTimeout, leaderTimeout, progress, adminPassword, boltProxy);
  }

  public ClusterOptions withDetached(boolean on) {
    return new ClusterOptions(members, dir, lib, pluginJar, faultProxy, fastStart, on, heap,
        pageCache, extraSettings, startTimeout, leaderTimeout, progress, adminPassword, boltProxy);
  }

  public ClusterOptions withExtraSettings(Map<String, String> settings) {
    return new ClusterOptions(members, dir, lib, pluginJar, faultProxy, fastStart, detached, heap,
        pageCache, settings, startTimeout, leaderTimeout, progress, adminPassword, boltProxy);
  }

  public ClusterOptions withProgress(Consumer<String> sink) {
    return new ClusterOptions(members, dir, lib, pluginJar, faultProxy, fastStart, detached, heap,
        pageCache, extraSettings, startTimeout, leaderTimeout, sink, adminPassword, boltProxy);
  }

  /** Authentication on, with this initial password for {@code neo4j} (8+ characters). */
  public ClusterOptions withAdminPassword(String password) {
    return new ClusterOptions(members, dir, lib, pluginJar, faultProxy, fastStart, detached, heap,
        pageCache, extraSettings, startTimeout, leaderTimeout, progress, password, boltProxy);
  }

  /** See {@link #boltProxy}: the members' Bolt ports behind a fault proxy they advertise. */
  public ClusterOptions withBoltProxy(boolean on) {
    return new ClusterOptions(members, dir, lib, pluginJar, faultProxy, fastStart, detached, heap,
        pageCache, extraSettings, startTimeout, leaderTimeout, progress, adminPassword, on);
  }
}
