package io.graft.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.neo4j.driver.AuthTokens;

/**
 * N real Neo4j server processes on loopback, assembled from the shared jar folder, optionally
 * with the graft plugin and a {@link FaultProxy} on the Raft links. Used by the it-tests and by
 * the {@code ./graft cluster} CLI.
 *
 * <p>Members start on EMPTY {@code data/} folders, as a user's servers do: with the plugin, each
 * member creates its store itself and graft gives the replicated database the cluster-wide
 * identity, so element ids match without any file copying (plugin/README.md "Bootstrap").
 */
public final class LocalCluster implements AutoCloseable {
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);
  private static final String MEMBER_BOLT_ADDRESSES = "server.raft.member_bolt_addresses";

  /**
   * The one client side of the Bolt proxy: every connection to a Bolt frontend is a driver's
   * (this JVM's), so its links are {@code (BOLT_CLIENT, member)}.
   */
  public static final int BOLT_CLIENT = 0;

  private final ClusterOptions options;
  private volatile ClusterLayout layout;
  /** Grows when a member is added; read by fault and probe threads meanwhile. */
  private final List<ServerProcess> servers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final RaftProbe probe;
  private FaultProxy proxy;
  private FaultProxy boltProxy;
  private Thread shutdownHook;

  private LocalCluster(ClusterOptions options, ClusterLayout layout) {
    this.options = options;
    this.layout = layout;
    NeoConfig config = neoConfig();
    List<NeoHome> homes = new ArrayList<>();
    for (MemberSpec spec : layout.members()) {
      NeoHome home = new NeoHome(options.dir().resolve(spec.name()), spec);
      home.assemble(options.pluginJar(), config);
      homes.add(home);
      servers.add(new ServerProcess(home, options.lib(), options.fastStart(), options.detached()));
    }
    if (options.authEnabled()) {
      setInitialPasswords(homes);
    }
    this.probe = new RaftProbe(layout, options.authEnabled()
        ? AuthTokens.basic(ClusterOptions.ADMIN_USER, options.adminPassword())
        : AuthTokens.none());
  }

  /**
   * Each member has its own system database (it is not replicated), so each home gets the same
   * initial {@code neo4j} password before its first start; in parallel, one JVM per home.
   */
  private void setInitialPasswords(List<NeoHome> homes) {
    List<CompletableFuture<Boolean>> runs = new ArrayList<>();
    for (NeoHome home : homes) {
      runs.add(CompletableFuture.supplyAsync(
          () -> home.setInitialPassword(options.lib(), options.adminPassword())));
    }
    for (int i = 0; i < runs.size(); i++) {
      if (runs.get(i).join()) {
        options.progress().accept("  " + homes.get(i).spec().name()
            + ": initial password of neo4j set (data/dbms/auth.ini)");
      }
    }
  }

  /**
   * Assembles the homes (reusing {@code cluster.properties} and data when the folder already has
   * a cluster) without starting anything.
   */
  public static LocalCluster assemble(ClusterOptions options) {
    checkLib(options.lib());
    try {
      Files.createDirectories(options.dir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + options.dir(), e);
    }
    ClusterLayout layout = ClusterLayout.load(options.dir())
        .filter(l -> l.members().size() == options.members() && l.proxied() == options.faultProxy()
            && l.boltProxied() == options.boltProxy())
        .orElseGet(() -> ClusterLayout.allocate(options.members(), options.faultProxy(),
            options.boltProxy()));
    layout.save(options.dir());
    return new LocalCluster(options, layout);
  }

  /** Assembles, starts every member and, with the plugin, waits for one agreed leader. */
  public static LocalCluster start(ClusterOptions options) {
    LocalCluster cluster = assemble(options);
    try {
      cluster.startAll();
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** Re-attaches to servers started by another JVM (pid files), e.g. for {@code status}. */
  public static LocalCluster attach(ClusterOptions options) {
    ClusterLayout layout = ClusterLayout.load(options.dir()).orElseThrow(() ->
        new IllegalStateException("no cluster in " + options.dir() + " (no " + ClusterLayout.FILE
            + ")"));
    LocalCluster cluster = new LocalCluster(options.withMembers(layout.members().size()), layout);
    cluster.servers.forEach(ServerProcess::adopt);
    return cluster;
  }

  private NeoConfig neoConfig() {
    Map<String, String> settings = new HashMap<>(options.extraSettings());
    if (options.authEnabled()) {
      settings.put(NeoHome.AUTH_ENABLED, "true");
    }
    if (options.fastStart()) {
      // Test clusters are many and short-lived: Neo4j preallocates each tx log file to 256 MiB,
      // ~0.5 GB per member (system + neo4j), which filled a 2-core CI-sized disk during a full run.
      settings.putIfAbsent("db.tx_log.preallocate", "false");
    }
    if (options.raftEnabled() && PluginJar.mentions(options.pluginJar(), MEMBER_BOLT_ADDRESSES)) {
      // raftAddress=boltAddress pairs, so raft.status() can name the leader's Bolt address.
      List<String> pairs = new ArrayList<>();
      for (MemberSpec spec : layout.members()) {
        pairs.add(spec.raftAdvertisedAddress() + "=" + spec.boltAdvertisedAddress());
      }
      settings.putIfAbsent(MEMBER_BOLT_ADDRESSES, String.join(",", pairs));
    }
    return new NeoConfig(options.raftEnabled(), layout.founderRaftAddresses(), options.heap(),
        options.pageCache(), settings);
  }

  public void startAll() {
    checkPortsFree();
    if (layout.proxied() && proxy == null) {
      startProxy();
    }
    if (layout.boltProxied() && boltProxy == null) {
      startBoltProxy();
    }
    installShutdownHook();
    long began = System.nanoTime();
    options.progress().accept("Starting " + servers.size() + " Neo4j servers in " + options.dir());
    servers.forEach(ServerProcess::start);
    ServerProcess.awaitAll(servers, options.startTimeout(), options.progress());
    for (ServerProcess server : servers) {
      options.progress().accept(String.format("  %s started: pid %d, %s", server.home().spec()
          .name(), server.pid(), server.home().spec().boltUri()));
    }
    options.progress().accept(String.format("  all %d started after %d s", servers.size(),
        Duration.ofNanos(System.nanoTime() - began).toSeconds()));
    if (options.raftEnabled()) {
      awaitLeader();
    }
  }

  /**
   * Waits for one leader among the running members; returns its 1-based index. A member stopped
   * with {@link #pause} is left out: it cannot answer, and a Bolt call to it would wait for its
   * SIGCONT.
   */
  public int awaitLeader() {
    List<Integer> running = new ArrayList<>();
    for (int m = 1; m <= servers.size(); m++) {
      if (server(m).isAlive() && !server(m).isPaused()) {
        running.add(m);
      }
    }
    int leader;
    try {
      leader = probe.awaitLeader(running, options.leaderTimeout(), options.progress(),
          () -> databaseFailure(running));
    } catch (IllegalStateException e) {
      throw new IllegalStateException(e.getMessage() + errorsOf(running), e);
    }
    options.progress().accept("  leader: member-" + leader);
    return leader;
  }

  private Optional<String> databaseFailure(List<Integer> members) {
    for (int m : members) {
      Optional<String> failure = server(m).databaseFailure();
      if (failure.isPresent()) {
        return Optional.of("member-" + m + ": " + failure.get());
      }
    }
    return Optional.empty();
  }

  private String errorsOf(List<Integer> members) {
    StringBuilder out = new StringBuilder();
    for (int m : members) {
      List<String> errors = server(m).recentErrors(4);
      if (!errors.isEmpty()) {
        out.append("\n---- member-").append(m).append(" recent errors (")
            .append(server(m).home().logs().resolve("debug.log")).append("):\n")
            .append(String.join("\n", errors));
      }
    }
    return out.toString();
  }

  private void checkPortsFree() {
    for (ServerProcess server : servers) {
      MemberSpec spec = server.home().spec();
      if (server.isAlive()) {
        continue;
      }
      for (int port : List.of(spec.boltPort(), spec.httpPort(), spec.raftListenPort())) {
        if (!Ports.isFree(port)) {
          throw new IllegalStateException("port " + port + " of " + spec.name()
              + " is busy (another server still running? try: ./graft cluster stop)");
        }
      }
    }
  }

  private void startProxy() {
    proxy = new FaultProxy(new ProcSourceResolver(this::memberByPid));
    try {
      for (MemberSpec spec : layout.members()) {
        proxy.addFrontend(spec.index(), spec.raftAdvertisedPort(), spec.raftListenPort());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the fault proxy", e);
    }
  }

  /** Every connection to a Bolt frontend is the client's ({@link #BOLT_CLIENT}). */
  private void startBoltProxy() {
    boltProxy = new FaultProxy(accepted -> java.util.OptionalInt.of(BOLT_CLIENT));
    try {
      for (MemberSpec spec : layout.members()) {
        boltProxy.addFrontend(spec.index(), spec.boltAdvertisedPort(), spec.boltPort());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the Bolt fault proxy", e);
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

  private void installShutdownHook() {
    if (options.detached() || shutdownHook != null) {
      return;
    }
    // A test JVM that dies must not leave servers behind.
    shutdownHook = new Thread(() -> servers.forEach(ServerProcess::kill9), "local-cluster-reaper");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Adds one member the way a user does: starts a further server whose {@code initial_members}
   * are the founders (so it waits to be added), then calls {@code raft.addMember} with its
   * advertised Raft address on the leader; returns once the change committed. The new member
   * gets the next number; {@code grown} picks its ports ({@link ClusterLayout#withStableMember} for
   * the CLI, {@link ClusterLayout#withFreeMember} for tests).
   *
   * @return the new member's 1-based index
   */
  public int addMember(java.util.function.UnaryOperator<ClusterLayout> grown) {
    int leader = awaitLeader();
    int added = startNewServer(grown);
    MemberSpec spec = layout.member(added);
    options.progress().accept("  CALL raft.addMember('" + spec.raftAdvertisedAddress()
        + "') on member-" + leader + " (catch-up as a learner, then promotion)");
    try (org.neo4j.driver.Session session = probe.session(leader)) {
      session.run("CALL raft.addMember($address)",
          org.neo4j.driver.Values.parameters("address", spec.raftAdvertisedAddress())).consume();
    }
    options.progress().accept("  " + spec.name() + " is a voting member");
    return added;
  }

  /**
   * Starts a further, EMPTY server whose {@code initial_members} are the founders and which is in
   * nobody's configuration yet: the server a user is about to add. Nothing calls {@code
   * raft.addMember}: the caller does (a test, under faults). It gets the next member number and
   * frontends on the cluster's fault proxies, so the Raft proxy can attribute and cut its
   * connections like any member's. Returns once it logged {@code Started.}.
   *
   * @return the new member's 1-based index
   */
  public synchronized int startNewServer(java.util.function.UnaryOperator<ClusterLayout> grown) {
    if (!options.raftEnabled()) {
      throw new IllegalStateException("a cluster without the plugin cannot add members");
    }
    ClusterLayout bigger = grown.apply(layout);
    MemberSpec spec = bigger.member(bigger.members().size());
    layout = bigger;
    layout.save(options.dir());
    probe.updateLayout(layout);
    NeoHome home = new NeoHome(options.dir().resolve(spec.name()), spec);
    home.assemble(options.pluginJar(), neoConfig());
    if (options.authEnabled()) {
      home.setInitialPassword(options.lib(), options.adminPassword());
    }
    ServerProcess server =
        new ServerProcess(home, options.lib(), options.fastStart(), options.detached());
    servers.add(server);
    try {
      if (layout.proxied() && proxy != null) {
        proxy.addFrontend(spec.index(), spec.raftAdvertisedPort(), spec.raftListenPort());
      }
      if (layout.boltProxied() && boltProxy != null) {
        boltProxy.addFrontend(spec.index(), spec.boltAdvertisedPort(), spec.boltPort());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot add a fault-proxy frontend for " + spec.name(), e);
    }
    options.progress().accept("Starting " + spec.name() + " (" + spec.boltUri() + ", Raft "
        + spec.raftAdvertisedAddress() + ")");
    server.start();
    server.awaitStarted(options.startTimeout(), options.progress());
    options.progress().accept("  " + spec.name() + " started: pid " + server.pid());
    return spec.index();
  }

  public int size() {
    return servers.size();
  }

  public ServerProcess server(int member) {
    return servers.get(member - 1);
  }

  public ClusterLayout layout() {
    return layout;
  }

  public RaftProbe probe() {
    return probe;
  }

  public String boltUri(int member) {
    return layout.member(member).boltUri();
  }

  public long pid(int member) {
    return server(member).pid();
  }

  public Path home(int member) {
    return server(member).home().dir();
  }

  /**
   * The proxy in front of the members' Bolt ports; only with {@link ClusterOptions#boltProxy()}.
   * Its links are {@code (BOLT_CLIENT, member)}: {@code isolate(m)} or {@code cut(BOLT_CLIENT, m)}
   * cuts every driver connection to member m (open ones are closed, new ones refused) while the
   * members' Raft links and the test's direct probes ({@link #probe()}) are untouched.
   */
  public FaultProxy boltProxy() {
    if (boltProxy == null) {
      throw new IllegalStateException(
          "started without the Bolt fault proxy (ClusterOptions.boltProxy)");
    }
    return boltProxy;
  }

  /** The fault proxy; only with {@link ClusterOptions#faultProxy()}. */
  public FaultProxy proxy() {
    if (proxy == null) {
      throw new IllegalStateException(
          "started without the fault proxy (ClusterOptions.faultProxy)");
    }
    return proxy;
  }

  public void kill9(int member) {
    server(member).kill9();
  }

  public void stop(int member) {
    server(member).stop(STOP_GRACE);
  }

  /** Stops the member if it runs (SIGTERM), starts it again and waits for {@code Started.}. */
  public void restart(int member) {
    ServerProcess server = server(member);
    server.stop(STOP_GRACE);
    server.start();
    server.awaitStarted(options.startTimeout(), options.progress());
  }

  public void pause(int member) {
    server(member).pause();
  }

  public void resume(int member) {
    server(member).resume();
  }

  /** Stops every member (in parallel), keeps the data. */
  public void stopAll() {
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    for (ServerProcess server : servers) {
      stops.add(CompletableFuture.runAsync(() -> server.stop(STOP_GRACE)));
    }
    CompletableFuture.allOf(stops.toArray(new CompletableFuture[0])).join();
  }

  @Override
  public void close() {
    probe.close();
    stopAll();
    if (proxy != null) {
      proxy.close();
      proxy = null;
    }
    if (boltProxy != null) {
      boltProxy.close();
      boltProxy = null;
    }
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // already shutting down
      }
      shutdownHook = null;
    }
  }

  private static void checkLib(Path lib) {
    Path marker = lib.resolve(Neo4jRelease.serverJarName());
    if (!Files.exists(marker)) {
      throw new IllegalStateException("no Neo4j jars in " + lib
          + " (build them: mvn -B -pl local-cluster package -DskipTests)");
    }
  }
}
