package io.graft.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.neo4j.driver.AuthToken;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logging;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;

/** Talks to members over Bolt with the official driver: {@code raft.status()} and friends. */
public final class RaftProbe implements AutoCloseable {
  private final Map<Integer, Driver> drivers = new ConcurrentHashMap<>();
  private volatile ClusterLayout layout;
  private final AuthToken auth;

  public RaftProbe(ClusterLayout layout) {
    this(layout, AuthTokens.none());
  }

  /** A probe that logs in with {@code auth} (clusters with authentication on). */
  public RaftProbe(ClusterLayout layout, AuthToken auth) {
    this.layout = layout;
    this.auth = auth;
  }

  /** A member was added ({@link LocalCluster#addMember}): its driver can now be made. */
  void updateLayout(ClusterLayout grown) {
    this.layout = grown;
  }

  /** The credentials this probe logs in with. */
  public AuthToken auth() {
    return auth;
  }

  /** A direct ({@code bolt://}) driver to one member; cached, closed with the probe. */
  public Driver driver(int member) {
    return drivers.computeIfAbsent(member, m -> GraphDatabase.driver(layout.member(m).boltUri(),
        auth, Config.builder()
            .withoutEncryption()
            .withLogging(Logging.none())
            .withConnectionTimeout(3, TimeUnit.SECONDS)
            .withConnectionAcquisitionTimeout(5, TimeUnit.SECONDS)
            .withMaxTransactionRetryTime(0, TimeUnit.SECONDS)
            .build()));
  }

  public Session session(int member) {
    return driver(member).session(SessionConfig.forDatabase("neo4j"));
  }

  /** This member's {@code raft.status()} row, or empty if it cannot be reached right now. */
  public Optional<Map<String, Object>> status(int member) {
    try (Session session = session(member)) {
      Record row = session.run("CALL raft.status()").single();
      return Optional.of(new LinkedHashMap<>(row.asMap()));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Waits until exactly one reachable member reports {@code LEADER} and every reachable member
   * names it as leader (one leader per term, §5.2, and the others have heard from it).
   *
   * @return the 1-based index of the leader
   */
  public int awaitLeader(List<Integer> candidates, Duration timeout, Consumer<String> progress) {
    return awaitLeader(candidates, timeout, progress, Optional::empty);
  }

  /**
   * As above, but gives up early when {@code fatal} reports a reason (e.g. a member's database
   * failed to start: no leader can come from it).
   */
  public int awaitLeader(List<Integer> candidates, Duration timeout, Consumer<String> progress,
      Supplier<Optional<String>> fatal) {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    long nextReport = start;
    String last = "no member answered raft.status() yet";
    while (System.nanoTime() < deadline) {
      Map<Integer, Map<String, Object>> rows = new LinkedHashMap<>();
      for (int m : candidates) {
        status(m).ifPresent(row -> rows.put(m, row));
      }
      Optional<Integer> leader = agreedLeader(rows);
      if (leader.isPresent()) {
        return leader.get();
      }
      last = summarize(rows);
      Optional<String> reason = fatal.get();
      if (reason.isPresent()) {
        throw new IllegalStateException("no leader: " + reason.get());
      }
      if (System.nanoTime() >= nextReport) {
        progress.accept(String.format("  waiting for a leader... %d s  [%s]",
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), last));
        nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
    }
    throw new IllegalStateException(
        "no agreed leader within " + timeout.toSeconds() + " s; last view: " + last);
  }

  static Optional<Integer> agreedLeader(Map<Integer, Map<String, Object>> rows) {
    List<Integer> leaders = new ArrayList<>();
    for (Map.Entry<Integer, Map<String, Object>> row : rows.entrySet()) {
      if ("LEADER".equals(String.valueOf(row.getValue().get("role")))) {
        leaders.add(row.getKey());
      }
    }
    if (leaders.size() != 1) {
      return Optional.empty();
    }
    Object leaderId = rows.get(leaders.get(0)).get("memberId");
    for (Map<String, Object> row : rows.values()) {
      if (!String.valueOf(leaderId).equals(String.valueOf(row.get("leaderId")))) {
        return Optional.empty();
      }
    }
    return Optional.of(leaders.get(0));
  }

  private static String summarize(Map<Integer, Map<String, Object>> rows) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<Integer, Map<String, Object>> row : rows.entrySet()) {
      if (out.length() > 0) {
        out.append(", ");
      }
      out.append("member-").append(row.getKey()).append(' ').append(row.getValue().get("role"))
          .append(" term ").append(row.getValue().get("term"));
    }
    return out.length() == 0 ? "no member answered raft.status() yet" : out.toString();
  }

  @Override
  public void close() {
    for (Driver driver : drivers.values()) {
      try {
        driver.close();
      } catch (RuntimeException e) {
        // best effort
      }
    }
    drivers.clear();
  }
}
