package io.graft.plugin;

import static org.neo4j.configuration.SettingValueParsers.BOOL;
import static org.neo4j.configuration.SettingValueParsers.BYTES;
import static org.neo4j.configuration.SettingValueParsers.DATABASENAME;
import static org.neo4j.configuration.SettingValueParsers.DOUBLE;
import static org.neo4j.configuration.SettingValueParsers.DURATION;
import static org.neo4j.configuration.SettingValueParsers.LONG;
import static org.neo4j.configuration.SettingValueParsers.SOCKET_ADDRESS;
import static org.neo4j.configuration.SettingValueParsers.STRING;
import static org.neo4j.configuration.SettingValueParsers.ofEnum;
import static org.neo4j.configuration.SettingValueParsers.listOf;

import java.time.Duration;
import java.util.List;
import org.neo4j.configuration.Description;
import org.neo4j.configuration.SettingImpl;
import org.neo4j.configuration.SettingsDeclaration;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.graphdb.config.Setting;

/**
 * graft's settings. Names are the user's contract (docs/ARCHITECTURE.md §3) and must live in a
 * Neo4j namespace ({@code server.}), or strict config validation stops the server
 * (docs/NEO4J-INTERNALS.md §7). Cross-setting rules are checked at startup by {@link
 * RaftPluginConfig#from}.
 *
 * <p>Member identity for now: a member's id IS its advertised Raft address ({@code host:port}), so
 * {@code initial_members} directly names the voters. A UUID identity comes with cluster lifecycle.
 */
public final class RaftSettings implements SettingsDeclaration {

  @Description("Enable graft Raft replication. When false the plugin is inert.")
  public static final Setting<Boolean> enabled =
      SettingImpl.newBuilder("server.raft.enabled", BOOL, false).build();

  @Description("host:port the Raft transport binds.")
  public static final Setting<SocketAddress> listen_address =
      SettingImpl.newBuilder("server.raft.listen_address", SOCKET_ADDRESS, new SocketAddress("127.0.0.1", 7000))
          .build();

  @Description("host:port other members use to reach this one; defaults to the listen address. "
      + "It is also this member's id and must appear in server.raft.initial_members.")
  public static final Setting<SocketAddress> advertised_address =
      SettingImpl.newBuilder("server.raft.advertised_address", SOCKET_ADDRESS, null).build();

  @Description("Comma-separated advertised Raft addresses of the founding voters, identical on each.")
  public static final Setting<List<SocketAddress>> initial_members =
      SettingImpl.newBuilder("server.raft.initial_members", listOf(SOCKET_ADDRESS), List.of())
          .build();

  @Description("The replicated database (never 'system').")
  public static final Setting<String> database =
      SettingImpl.newBuilder("server.raft.database", DATABASENAME, "neo4j").build();

  @Description("Cluster id; members with another id refuse each other's connections.")
  public static final Setting<String> cluster_id =
      SettingImpl.newBuilder("server.raft.cluster_id", STRING, "graft").build();

  @Description("Refuse to start when the Raft address is not a loopback address and the Raft "
      + "links are not authenticated by mutual TLS (dbms.ssl.policy.cluster.enabled=true with "
      + "client_auth=REQUIRE): whoever reaches an unauthenticated Raft port can make members apply "
      + "any transaction. Set false only on a trusted private network; a warning is then logged "
      + "and shown in raft.status().")
  public static final Setting<Boolean> require_tls =
      SettingImpl.newBuilder("server.raft.require_tls", BOOL, true).build();

  @Description("Users who may run raft.addMember, raft.removeMember and raft.transferLeadership "
      + "when authentication is on (Neo4j Community has no roles: every user could otherwise). "
      + "Users live in each member's own system database, which is not replicated.")
  public static final Setting<List<String>> admin_users =
      SettingImpl.newBuilder("server.raft.admin_users", listOf(STRING), List.of("neo4j")).build();

  @Description("Raft election timeout (randomised between this and twice this).")
  public static final Setting<Duration> election_timeout =
      SettingImpl.newBuilder("server.raft.election_timeout", DURATION, Duration.ofSeconds(1)).build();

  @Description("Leader heartbeat interval; must be well below the election timeout.")
  public static final Setting<Duration> heartbeat_interval =
      SettingImpl.newBuilder("server.raft.heartbeat_interval", DURATION, Duration.ofMillis(100))
          .build();

  @Description("How long a committing transaction waits for Raft commit and local apply before it "
      + "fails with Neo.TransientError.Cluster.ReplicationFailure (outcome unknown).")
  public static final Setting<Duration> commit_timeout =
      SettingImpl.newBuilder("server.raft.commit_timeout", DURATION, Duration.ofSeconds(30)).build();

  @Description("Largest serialized transaction that is replicated (one Raft entry), at most 1g; "
      + "larger ones are refused up front, nothing proposed. The default admits a 200,000-node "
      + "transaction (~21 MiB) with room to spare; the leader briefly holds a few copies of an "
      + "entry per follower, so raise the heap with it. Split bigger loads into smaller "
      + "transactions or raise this setting.")
  public static final Setting<Long> max_entry_size =
      SettingImpl.newBuilder("server.raft.max_entry_size", BYTES,
          RaftPluginConfig.DEFAULT_MAX_ENTRY_BYTES).build();

  @Description("Optional bolt addresses of the other members as raftAddress=boltAddress pairs, "
      + "comma-separated; used by raft.status()/raft.members().")
  public static final Setting<List<String>> member_bolt_addresses =
      SettingImpl.newBuilder("server.raft.member_bolt_addresses", listOf(STRING), List.of()).build();

  @Description("Time to live of the routing table graft gives neo4j:// drivers for the replicated "
      + "database. Drivers refresh after it, and at once when a write meets a follower "
      + "(NotALeader), so it bounds how long a driver keeps reading from a removed member.")
  public static final Setting<Duration> routing_ttl =
      SettingImpl.newBuilder("server.raft.routing_ttl", DURATION, Duration.ofSeconds(5)).build();

  @Description("Applied Raft entries between two snapshots of the replicated database (a store "
      + "copy: checkpoint, store files and transaction logs). After a snapshot the Raft log is "
      + "pruned up to server.raft.log_retained_entries behind it (thesis §5.1). Each snapshot "
      + "forces a checkpoint and copies the whole store on every member, so its cost grows with "
      + "the store: the default keeps it rare (Neo4j itself checkpoints every 100,000 "
      + "transactions by default).")
  public static final Setting<Long> snapshot_interval_entries =
      SettingImpl.newBuilder("server.raft.snapshot_interval_entries", LONG, 65536L).build();

  @Description("Applied entry bytes (serialized transactions) between two snapshots, whichever of "
      + "this and server.raft.snapshot_interval_entries comes first: a few large transactions "
      + "grow the Raft log as much as many small ones.")
  public static final Setting<Long> snapshot_interval_bytes =
      SettingImpl.newBuilder("server.raft.snapshot_interval_bytes", BYTES, 1L << 30).build();

  @Description("A snapshot copies the whole store, so its cost grows with the store: the next one "
      + "is also held back until the entries applied since the last one hold at least this many "
      + "times that snapshot's size (the Raft thesis §5.1.3). Copying then costs at most 1/ratio "
      + "byte per byte written to the Raft log, however large the store; the Raft log holds up to "
      + "ratio times the store's size on disk. 0: the intervals alone decide.")
  public static final Setting<Double> snapshot_log_ratio =
      SettingImpl.newBuilder("server.raft.snapshot_log_ratio", DOUBLE, 1.0).build();

  @Description("Raft log entries kept behind the newest snapshot, so a follower a little behind "
      + "catches up from the log; one further behind (or a new member) gets the snapshot.")
  public static final Setting<Long> log_retained_entries =
      SettingImpl.newBuilder("server.raft.log_retained_entries", LONG, 1024L).build();

  @Description("When Neo4j's transaction log is forced on a member. CHECKPOINT (default): the Raft "
      + "log is the durability point; applying a committed write writes Neo4j's log without "
      + "forcing it, and Neo4j's log is forced before each checkpoint, lease change and snapshot "
      + "(after a crash the member re-applies its lost tail from the Raft log). EVERY_APPLY: "
      + "Neo4j's own commit process forces its log for every applied run of writes, a second "
      + "fsync after the Raft log's on each write's path.")
  public static final Setting<Neo4jLogForce> neo4j_log_force =
      SettingImpl.newBuilder("server.raft.neo4j_log_force", ofEnum(Neo4jLogForce.class),
          Neo4jLogForce.CHECKPOINT).build();

  @Description("Whether the health endpoints (/db/<db>/cluster/writable, read-only, available, "
      + "status) require Neo4j authentication when it is on. Off by default: load balancers and "
      + "Kubernetes probes usually cannot send credentials (Neo4j Enterprise's equivalent, "
      + "dbms.security.cluster_status_auth_enabled, defaults to on). /graft/metrics and "
      + "/graft/view always follow the server's authentication.")
  public static final Setting<Boolean> health_auth_enabled =
      SettingImpl.newBuilder("server.raft.health_auth_enabled", BOOL, false).build();

  @Description("Largest number of committed entries a member may have left to apply and still "
      + "answer 200 on /db/<db>/cluster/available and read-only: a member further behind "
      + "(catching up, installing a snapshot) serves reads that are too old.")
  public static final Setting<Long> available_max_apply_lag =
      SettingImpl.newBuilder("server.raft.available_max_apply_lag", LONG, 1000L).build();
}
