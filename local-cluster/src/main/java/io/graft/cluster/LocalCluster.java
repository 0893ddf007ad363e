package io.graft.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

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

  /**
   * The one client side of the Bolt proxy: every connection to a Bolt frontend is a driver's
   * (this JVM's), so its links are {@code (BOLT_CLIENT, member)}.
   */
  public static final int BOLT_CLIENT = 0;

  private final ClusterOptions options;
  private final MemberFactory members;
  /** Grows when a member is added; read by probe and writer threads meanwhile. */
  private volatile ClusterLayout layout;
  /** Grows when a member is added; read by fault and probe threads meanwhile. */
  private final List<ServerProcess> servers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final RaftProbe probe;
  private final ClusterProxies proxies = new ClusterProxies(servers);
  private Thread shutdownHook;

  private LocalCluster(ClusterOptions options, ClusterLayout layout) {
    this.options = options;
    this.layout = layout;
    this.members = new MemberFactory(options);
    servers.addAll(members.createAll(layout));
    this.probe = new RaftProbe(layout, members.auth());
  }

  /**
   * Assembles the homes (reusing {@code cluster.properties} and data when the folder already has
   * a cluster) without starting anything.
   */
  public static LocalCluster assemble(ClusterOptions options) {
    MemberFactory.checkLib(options.lib());
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

  public void startAll() {
    StartChecks.portsFree(servers);
    proxies.startFor(layout);
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
    Map<Integer, ServerProcess> running = new LinkedHashMap<>();
    running().forEach(m -> running.put(m, server(m)));
    int leader;
    try {
      leader = probe.awaitLeader(List.copyOf(running.keySet()), options.leaderTimeout(),
          options.progress(), () -> StartChecks.databaseFailure(running));
    } catch (IllegalStateException e) {
      throw new IllegalStateException(e.getMessage() + StartChecks.recentErrors(running), e);
    }
    options.progress().accept("  leader: member-" + leader);
    return leader;
  }

  /**
   * The member a client should write to now: the one reporting {@code LEADER} in the highest term
   * among the running members ({@link RaftProbe#findLeader}); empty while none does. No waiting
   * and no agreement: for writers that look the leader up after a failed write.
   */
  public Optional<Integer> findLeader() {
    return probe.findLeader(running());
  }

  /**
   * The members whose process is alive and not stopped by {@link #pause}: those that can answer
   * (a Bolt call to a stopped member would wait for its SIGCONT).
   */
  public List<Integer> running() {
    List<Integer> running = new ArrayList<>();
    for (int m = 1; m <= servers.size(); m++) {
      if (server(m).isAlive() && !server(m).isPaused()) {
        running.add(m);
      }
    }
    return running;
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
   * Adds one member the way a user does: {@link #startNewServer}, then {@code raft.addMember} with
   * its advertised Raft address on the leader; returns once the change committed (the member
   * caught up as a learner and was promoted). {@code grown} picks its ports ({@link
   * ClusterLayout#withStableMember} for the CLI, {@link ClusterLayout#withFreeMember} for tests).
   *
   * @return the new member's 1-based index
   */
  public int addMember(UnaryOperator<ClusterLayout> grown) {
    int leader = awaitLeader();
    int added = startNewServer(grown);
    String address = layout.member(added).raftAdvertisedAddress();
    options.progress().accept("  CALL raft.addMember('" + address + "') on member-" + leader
        + " (catch-up as a learner, then promotion)");
    try (org.neo4j.driver.Session session = probe.session(leader)) {
      session.run("CALL raft.addMember($address)",
          org.neo4j.driver.Values.parameters("address", address)).consume();
    }
    options.progress().accept("  " + layout.member(added).name() + " is a voting member");
    return added;
  }

  /**
   * Starts a further, EMPTY server whose {@code initial_members} are the founders and which is in
   * nobody's configuration yet: the server a user is about to add (the joiner). Nothing calls
   * {@code raft.addMember}: the caller does, on the member and at the moment it chooses (a test,
   * under faults). It gets the next member number (its home {@code member-N}, its driver in
   * {@link #probe()}), frontends on the cluster's fault proxies (Raft and Bolt), so they can
   * attribute and cut its connections like any member's, and is stopped by {@link #close()} with
   * the others. Until it is added it names no leader, so {@link #awaitLeader()} waits for its
   * addition. Returns once it logged {@code Started.}.
   *
   * @return the new member's 1-based index
   */
  public synchronized int startNewServer(UnaryOperator<ClusterLayout> grown) {
    if (!options.raftEnabled()) {
      throw new IllegalStateException("a cluster without the plugin cannot add members");
    }
    ClusterLayout bigger = grown.apply(layout);
    MemberSpec spec = bigger.member(bigger.members().size());
    layout = bigger;
    layout.save(options.dir());
    probe.updateLayout(layout);
    ServerProcess server = members.create(spec, layout);
    servers.add(server);
    proxies.addMember(spec);
    options.progress().accept("Starting " + spec.name() + " (" + spec.boltUri() + ", Raft "
        + spec.raftAdvertisedAddress() + ")");
    server.start();
    server.awaitStarted(options.startTimeout(), options.progress());
    options.progress().accept("  " + spec.name() + " started: pid " + server.pid());
    return spec.index();
  }

  /**
   * {@link #startNewServer} on free ports ({@link ClusterLayout#withFreeMember}): the joiner a
   * test adds with {@code raft.addMember}, its id {@link #memberId}.
   *
   * @return the joiner's 1-based index
   */
  public int startJoiner() {
    return startNewServer(ClusterLayout::withFreeMember);
  }

  public int size() {
    return servers.size();
  }

  /** Every member's index, 1..{@link #size()}: founders and members added since. */
  public List<Integer> members() {
    List<Integer> all = new ArrayList<>();
    for (int m = 1; m <= servers.size(); m++) {
      all.add(m);
    }
    return all;
  }

  /** Every member but {@code member}. */
  public List<Integer> others(int member) {
    List<Integer> rest = members();
    rest.remove(Integer.valueOf(member));
    return rest;
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

  /** The member's Bolt address as {@code host:port} (what routing tables list). */
  public String boltAddress(int member) {
    return MemberSpec.HOST + ":" + layout.member(member).boltPort();
  }

  /** The member's id: its advertised Raft address (docs/ARCHITECTURE.md §3). */
  public String memberId(int member) {
    return layout.member(member).raftAdvertisedAddress();
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
    return proxies.bolt();
  }

  /** The fault proxy; only with {@link ClusterOptions#faultProxy()}. */
  public FaultProxy proxy() {
    return proxies.raft();
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

  /** SIGSTOP; returns once /proc shows the member stopped. */
  public void pause(int member) {
    server(member).pause();
  }

  public void resume(int member) {
    server(member).resume();
  }

  /** Cuts every Raft link of the member (fault proxy); {@link #rejoin} heals them. */
  public void isolate(int member) {
    proxy().isolate(member);
  }

  public void rejoin(int member) {
    proxy().rejoin(member);
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
    proxies.close();
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // already shutting down
      }
      shutdownHook = null;
    }
  }
}
