package io.graft.cluster;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The members' fixed addresses, saved as {@code DIR/cluster.properties} so that restarts (and the
 * CLI's {@code stop}/{@code status}, run from another JVM) find the same ports and member ids.
 *
 * @param proxied whether Raft traffic flows through a {@link FaultProxy}
 * @param founders how many of the first members founded the cluster (their addresses are every
 *     member's {@code server.raft.initial_members}); members after them were added later with
 *     {@code raft.addMember}
 * @param boltProxied whether clients reach the members' Bolt ports through a second fault proxy
 *     (the members advertise its frontends)
 */
public record ClusterLayout(List<MemberSpec> members, boolean proxied, int founders,
    boolean boltProxied) {
  public static final String FILE = "cluster.properties";
  /** Where the CLI's member-N prefers its ports: base + N - 1 (Neo4j's and graft's defaults). */
  public static final int BOLT_BASE = 7687;
  public static final int HTTP_BASE = 7474;
  public static final int RAFT_BASE = 7000;

  public ClusterLayout {
    members = List.copyOf(members);
    if (founders < 1 || founders > members.size()) {
      throw new IllegalArgumentException("founders must be 1.." + members.size() + ", was "
          + founders);
    }
  }

  /** Every member a founder, no Bolt proxy. */
  public ClusterLayout(List<MemberSpec> members, boolean proxied) {
    this(members, proxied, members.size(), false);
  }

  /** No Bolt proxy. */
  public ClusterLayout(List<MemberSpec> members, boolean proxied, int founders) {
    this(members, proxied, founders, false);
  }

  /**
   * The CLI's layout: member-N on Bolt 7687+N-1, HTTP 7474+N-1 and Raft 7000+N-1 when those are
   * free, otherwise on a free port, each substitution reported to {@code notes}. Tests use
   * {@link #allocate} (free ports only), so they never collide with a cluster someone runs.
   */
  public static ClusterLayout stable(int count, Consumer<String> notes) {
    List<MemberSpec> specs = new ArrayList<>();
    Set<Integer> used = new HashSet<>();
    for (int i = 1; i <= count; i++) {
      specs.add(stableSpec(i, used, notes));
    }
    return new ClusterLayout(specs, false);
  }

  /** One more member after the existing ones, on stable ports when free (see {@link #stable}). */
  public ClusterLayout withStableMember(Consumer<String> notes) {
    Set<Integer> used = new HashSet<>();
    for (MemberSpec m : members) {
      used.addAll(List.of(m.boltPort(), m.httpPort(), m.raftListenPort(), m.raftAdvertisedPort()));
    }
    return with(stableSpec(members.size() + 1, used, notes));
  }

  /** One more member after the existing ones, on free ports, behind the same proxies (tests). */
  public ClusterLayout withFreeMember() {
    return with(allocateMember(members.size() + 1, proxied, boltProxied));
  }

  private ClusterLayout with(MemberSpec spec) {
    List<MemberSpec> more = new ArrayList<>(members);
    more.add(spec);
    return new ClusterLayout(more, proxied, founders, boltProxied);
  }

  private static MemberSpec stableSpec(int i, Set<Integer> used, Consumer<String> notes) {
    String name = "member-" + i;
    int bolt = preferred(BOLT_BASE + i - 1, name + " Bolt", used, notes);
    int http = preferred(HTTP_BASE + i - 1, name + " HTTP", used, notes);
    int raft = preferred(RAFT_BASE + i - 1, name + " Raft", used, notes);
    return new MemberSpec(i, bolt, http, raft, raft);
  }

  private static int preferred(int port, String what, Set<Integer> used, Consumer<String> notes) {
    if (!used.contains(port) && Ports.isFree(port)) {
      used.add(port);
      return port;
    }
    int free;
    do {
      free = Ports.freePort();
    } while (used.contains(free));
    used.add(free);
    notes.accept("  " + what + " port " + port + " is taken; using " + free + " instead");
    return free;
  }

  /** The founders' advertised Raft addresses: every member's initial_members. */
  public List<String> founderRaftAddresses() {
    return members.subList(0, founders).stream().map(MemberSpec::raftAdvertisedAddress).toList();
  }

  /** Fresh free ports for {@code count} members, no Bolt proxy. */
  public static ClusterLayout allocate(int count, boolean proxied) {
    return allocate(count, proxied, false);
  }

  /** Fresh free ports for {@code count} members. */
  public static ClusterLayout allocate(int count, boolean proxied, boolean boltProxied) {
    List<MemberSpec> specs = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      specs.add(allocateMember(i, proxied, boltProxied));
    }
    return new ClusterLayout(specs, proxied, count, boltProxied);
  }

  /** Fresh free ports for member {@code index}. */
  private static MemberSpec allocateMember(int index, boolean proxied, boolean boltProxied) {
    int bolt = Ports.freePort();
    int http = Ports.freePort();
    int raftListen = Ports.freePort();
    int raftAdvertised = proxied ? Ports.freePort() : raftListen;
    int boltAdvertised = boltProxied ? Ports.freePort() : bolt;
    return new MemberSpec(index, bolt, http, raftListen, raftAdvertised, boltAdvertised);
  }

  public List<String> advertisedRaftAddresses() {
    return members.stream().map(MemberSpec::raftAdvertisedAddress).toList();
  }

  public MemberSpec member(int index) {
    return members.get(index - 1);
  }

  public void save(Path dir) {
    Properties props = new Properties();
    props.setProperty("members", Integer.toString(members.size()));
    props.setProperty("proxied", Boolean.toString(proxied));
    props.setProperty("founders", Integer.toString(founders));
    props.setProperty("boltProxied", Boolean.toString(boltProxied));
    for (MemberSpec m : members) {
      String p = "member." + m.index() + ".";
      props.setProperty(p + "bolt", Integer.toString(m.boltPort()));
      props.setProperty(p + "http", Integer.toString(m.httpPort()));
      props.setProperty(p + "raftListen", Integer.toString(m.raftListenPort()));
      props.setProperty(p + "raftAdvertised", Integer.toString(m.raftAdvertisedPort()));
      props.setProperty(p + "boltAdvertised", Integer.toString(m.boltAdvertisedPort()));
    }
    try (Writer out = Files.newBufferedWriter(dir.resolve(FILE))) {
      props.store(out, "graft local cluster: fixed member addresses (member id = raft address)");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(FILE), e);
    }
  }

  public static Optional<ClusterLayout> load(Path dir) {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    Properties props = new Properties();
    try (Reader in = Files.newBufferedReader(file)) {
      props.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    int count = Integer.parseInt(props.getProperty("members"));
    List<MemberSpec> specs = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      String p = "member." + i + ".";
      String bolt = props.getProperty(p + "bolt");
      specs.add(new MemberSpec(i,
          Integer.parseInt(bolt),
          Integer.parseInt(props.getProperty(p + "http")),
          Integer.parseInt(props.getProperty(p + "raftListen")),
          Integer.parseInt(props.getProperty(p + "raftAdvertised")),
          // folders written before the Bolt proxy existed advertise the bound port
          Integer.parseInt(props.getProperty(p + "boltAdvertised", bolt))));
    }
    boolean proxied = Boolean.parseBoolean(props.getProperty("proxied"));
    int founders = Integer.parseInt(props.getProperty("founders", Integer.toString(count)));
    boolean boltProxied = Boolean.parseBoolean(props.getProperty("boltProxied", "false"));
    return Optional.of(new ClusterLayout(specs, proxied, founders, boltProxied));
  }
}
