package io.graft.cluster;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The members' fixed addresses, saved as {@code DIR/cluster.properties} so that restarts (and the
 * CLI's {@code stop}/{@code status}, run from another JVM) find the same ports and member ids.
 *
 * @param proxied whether Raft traffic flows through a {@link FaultProxy}
 * @param boltProxied whether clients reach the members' Bolt ports through a second one (the
 *     members advertise its frontends)
 */
public record ClusterLayout(List<MemberSpec> members, boolean proxied, boolean boltProxied) {
  public static final String FILE = "cluster.properties";

  public ClusterLayout {
    members = List.copyOf(members);
  }

  /** No Bolt proxy. */
  public ClusterLayout(List<MemberSpec> members, boolean proxied) {
    this(members, proxied, false);
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
    return new ClusterLayout(specs, proxied, boltProxied);
  }

  /** Fresh free ports for member {@code index}. */
  static MemberSpec allocateMember(int index, boolean proxied, boolean boltProxied) {
    int bolt = Ports.freePort();
    int http = Ports.freePort();
    int raftListen = Ports.freePort();
    int raftAdvertised = proxied ? Ports.freePort() : raftListen;
    int boltAdvertised = boltProxied ? Ports.freePort() : bolt;
    return new MemberSpec(index, bolt, http, raftListen, raftAdvertised, boltAdvertised);
  }

  /** This layout and one more member, with fresh ports and the same proxies. */
  public ClusterLayout withOneMore() {
    List<MemberSpec> grown = new ArrayList<>(members);
    grown.add(allocateMember(members.size() + 1, proxied, boltProxied));
    return new ClusterLayout(grown, proxied, boltProxied);
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
    boolean boltProxied = Boolean.parseBoolean(props.getProperty("boltProxied", "false"));
    return Optional.of(new ClusterLayout(specs, proxied, boltProxied));
  }
}
