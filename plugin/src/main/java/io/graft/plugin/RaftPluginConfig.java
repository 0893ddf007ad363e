package io.graft.plugin;

import io.graft.raft.api.RaftAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.neo4j.configuration.Config;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;

/**
 * The validated view of {@code server.raft.*}: one place maps settings onto graft (docs/STYLE.md §4
 * anti-patterns), and every cross-setting rule fails startup with a message naming the setting.
 */
public record RaftPluginConfig(
    boolean enabled,
    String self,
    String listenAddress,
    List<String> initialMembers,
    String database,
    String clusterId,
    Duration electionTimeout,
    Duration heartbeatInterval,
    Duration commitTimeout,
    long maxEntrySize,
    String selfBoltAddress,
    Map<String, String> boltAddresses,
    Path dataDirectory,
    long snapshotIntervalEntries,
    long snapshotIntervalBytes,
    long logRetainedEntries,
    Neo4jLogForce neo4jLogForce,
    double snapshotLogRatio) {

  /**
   * Largest value of server.raft.max_entry_size: 1 GiB, the transport's frame ceiling (one entry
   * travels in one AppendEntries frame; Java arrays stop at 2 GiB and the leader holds copies).
   */
  public static final long MAX_ENTRY_BYTES = 1L << 30;

  /**
   * Default of server.raft.max_entry_size: 128 MiB, six times the 21.4 MiB entry of a 200,000-node
   * transaction with two properties, measured (plugin/README.md weighs it against heap).
   */
  public static final long DEFAULT_MAX_ENTRY_BYTES = 128L << 20;

  public static RaftPluginConfig from(Config config) {
    boolean enabled = config.get(RaftSettings.enabled);
    SocketAddress listen = config.get(RaftSettings.listen_address);
    SocketAddress advertised = config.get(RaftSettings.advertised_address);
    String self = address(advertised != null ? advertised : listen);
    List<String> members = new ArrayList<>();
    for (SocketAddress m : config.get(RaftSettings.initial_members)) {
      members.add(address(m));
    }
    SocketAddress bolt = config.get(BoltConnector.advertised_address);
    RaftPluginConfig c =
        new RaftPluginConfig(
            enabled,
            self,
            address(listen),
            List.copyOf(members),
            config.get(RaftSettings.database),
            config.get(RaftSettings.cluster_id),
            config.get(RaftSettings.election_timeout),
            config.get(RaftSettings.heartbeat_interval),
            config.get(RaftSettings.commit_timeout),
            config.get(RaftSettings.max_entry_size),
            bolt == null ? null : address(bolt),
            boltMap(config.get(RaftSettings.member_bolt_addresses)),
            config.get(GraphDatabaseSettings.data_directory),
            config.get(RaftSettings.snapshot_interval_entries),
            config.get(RaftSettings.snapshot_interval_bytes),
            config.get(RaftSettings.log_retained_entries),
            config.get(RaftSettings.neo4j_log_force),
            config.get(RaftSettings.snapshot_log_ratio));
    if (enabled) {
      c.validate();
    }
    return c;
  }

  /** Throws IllegalArgumentException with every problem found, each naming its setting. */
  public void validate() {
    List<String> problems = new ArrayList<>();
    if (initialMembers.isEmpty()) {
      problems.add("server.raft.initial_members is empty: list the advertised Raft addresses of "
          + "the founding members (host:port, comma-separated)");
    }
    // A member whose own address is not in initial_members is JOINING a running cluster
    // (docs/ARCHITECTURE.md §3 user flow): it starts with no configuration, never campaigns, and
    // waits for CALL raft.addMember('<its advertised address>') on a member (thesis §4.2.1).
    if (initialMembers.size() != initialMembers.stream().distinct().count()) {
      problems.add("server.raft.initial_members lists a member twice: " + initialMembers);
    }
    checkAddress(problems, "server.raft.listen_address", listenAddress, true);
    checkAddress(problems, "server.raft.advertised_address", self, false);
    initialMembers.forEach(m -> checkAddress(problems, "server.raft.initial_members", m, false));
    boltAddresses.forEach((raft, bolt) -> {
      checkAddress(problems, "server.raft.member_bolt_addresses", raft, false);
      checkAddress(problems, "server.raft.member_bolt_addresses", bolt, false);
    });
    if (RaftAddress.tryParse(self).map(RaftAddress::isWildcard).orElse(false)) {
      problems.add("the advertised Raft address " + self + " is a wildcard; set "
          + "server.raft.advertised_address to an address other members can reach");
    }
    if ("system".equalsIgnoreCase(database)) {
      problems.add("server.raft.database cannot be 'system' (it is per member, never replicated)");
    }
    if (heartbeatInterval.isZero() || heartbeatInterval.isNegative()) {
      problems.add("server.raft.heartbeat_interval must be positive");
    }
    if (electionTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
      problems.add("server.raft.election_timeout (" + electionTimeout + ") must be at least twice "
          + "server.raft.heartbeat_interval (" + heartbeatInterval + ")");
    }
    if (commitTimeout.compareTo(electionTimeout) < 0) {
      problems.add("server.raft.commit_timeout (" + commitTimeout + ") must not be shorter than "
          + "server.raft.election_timeout (" + electionTimeout + ")");
    }
    if (maxEntrySize < 1024 || maxEntrySize > MAX_ENTRY_BYTES) {
      problems.add("server.raft.max_entry_size must be between 1KiB and 1GiB (one entry must fit "
          + "in one Raft frame), was " + maxEntrySize);
    }
    if (snapshotIntervalEntries < 1) {
      problems.add("server.raft.snapshot_interval_entries must be at least 1, was "
          + snapshotIntervalEntries);
    }
    if (snapshotIntervalBytes < 1024) {
      problems.add("server.raft.snapshot_interval_bytes must be at least 1KiB, was "
          + snapshotIntervalBytes);
    }
    if (!(snapshotLogRatio >= 0) || Double.isInfinite(snapshotLogRatio)) {
      problems.add("server.raft.snapshot_log_ratio must be a number at least 0, was "
          + snapshotLogRatio);
    }
    if (logRetainedEntries < 0) {
      problems.add("server.raft.log_retained_entries must not be negative, was "
          + logRetainedEntries);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("graft: invalid Raft configuration: "
          + String.join("; ", problems));
    }
  }

  /** {@code <data>/raft/<db>/}: Raft log, meta store and lease state of the database. */
  public Path raftDirectory() {
    return dataDirectory.resolve("raft").resolve(database);
  }

  /** True when this member is not a founder and waits to be added with raft.addMember. */
  public boolean joining() {
    return !initialMembers.contains(self);
  }

  public String boltAddressOf(String member) {
    return member.equals(self) ? selfBoltAddress : boltAddresses.get(member);
  }

  /** Adds a problem naming {@code setting} unless {@code value} is a {@link RaftAddress}. */
  private static void checkAddress(List<String> problems, String setting, String value,
      boolean bind) {
    try {
      if (bind) {
        RaftAddress.parseListen(value);
      } else {
        RaftAddress.parse(value);
      }
    } catch (RaftAddress.MalformedAddressException e) {
      problems.add(setting + ": " + e.getMessage());
    }
  }

  /** Neo4j's parsed socket address as host:port text ({@link RaftAddress#format}). */
  static String address(SocketAddress a) {
    return RaftAddress.format(a.getHostname(), a.getPort());
  }

  private static Map<String, String> boltMap(List<String> pairs) {
    Map<String, String> map = new LinkedHashMap<>();
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      if (eq <= 0 || eq == pair.length() - 1) {
        throw new IllegalArgumentException("server.raft.member_bolt_addresses: '" + pair
            + "' is not raftAddress=boltAddress");
      }
      map.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }
    return Map.copyOf(map);
  }
}
