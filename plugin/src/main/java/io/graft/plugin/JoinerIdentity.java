package io.graft.plugin;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.boot.RaftNodes;
import io.graft.raft.api.TransportTls;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The database identity a new server adopts before it creates its database. Element ids embed
 * the identity (NEO4J-INTERNALS §8.1), and a cluster seeded from an existing database keeps that
 * database's own identity (README "Moving an existing database onto graft"), so a server that
 * joins a running cluster ({@code server.raft.initial_members} does not name it) asks the members
 * listed there for the identity they announce ({@link RaftNodes#probe} on their Raft port),
 * and waits (reporting progress) until one answers. A founder (named in {@code initial_members}) on an
 * empty {@code data/} takes the identity derived from {@code server.raft.cluster_id}, like every
 * other founder.
 */
final class JoinerIdentity {
  private final RaftPluginConfig config;
  private final Duration timeout;
  private final Duration retry;
  private final Consumer<String> progress;
  /** The cluster's TLS (dbms.ssl.policy.cluster), or null: the members run in plaintext. */
  private final TransportTls tls;

  JoinerIdentity(RaftPluginConfig config, Duration timeout, Duration retry,
      Consumer<String> progress) {
    this(config, timeout, retry, progress, null);
  }

  JoinerIdentity(RaftPluginConfig config, Duration timeout, Duration retry,
      Consumer<String> progress, TransportTls tls) {
    this.tls = tls;
    this.config = config;
    this.timeout = timeout;
    this.retry = retry;
    this.progress = progress;
  }

  /** The identity to create the replicated database with. */
  UUID resolve() throws InterruptedException {
    UUID derived = DatabaseIdentity.of(config.clusterId(), config.database());
    if (!config.joining()) {
      return derived;
    }
    long began = System.nanoTime();
    long deadline = began + timeout.toNanos();
    long nextReport = 0;
    while (true) {
      Map<String, String> failures = new LinkedHashMap<>();
      List<UUID> answers = new ArrayList<>();
      for (String member : config.initialMembers()) {
        try {
          String announced = RaftNodes.probe(member, config.clusterId(),
              MemberId.of(config.self()), Duration.ofMillis(Math.min(5000,
                  retry.toMillis() * 2 + 1000)), tls);
          UUID id = PeerAnnouncement.databaseId(announced);
          if (id != null) {
            answers.add(id);
          } else {
            failures.put(member, "announces no database identity (its database is not running,"
                + " or it runs an older graft)");
          }
        } catch (IOException | IllegalArgumentException e) {
          failures.put(member, e.getMessage() == null ? e.toString() : e.getMessage());
        }
      }
      if (!answers.isEmpty()) {
        if (answers.stream().distinct().count() > 1) {
          throw new IllegalStateException("graft: the members in server.raft.initial_members "
              + config.initialMembers() + " announce different identities for database '"
              + config.database() + "': " + answers + ". They are not one cluster; list the"
              + " members of the cluster this server should join");
        }
        progress.accept("graft: joining server " + config.self() + ": database '"
            + config.database() + "' takes the cluster's identity " + answers.get(0)
            + (answers.get(0).equals(derived) ? "" : " (the cluster was seeded from an existing"
                + " database)"));
        return answers.get(0);
      }
      long now = System.nanoTime();
      if (now >= deadline) {
        throw new IllegalStateException("graft: this server (" + config.self() + ") joins a"
            + " running cluster (it is not in server.raft.initial_members), so it must learn the"
            + " identity of database '" + config.database() + "' from a member before creating"
            + " it, but none of " + config.initialMembers() + " answered within " + timeout
            + ": " + failures + ". Start it while at least one member runs, with the members'"
            + " advertised Raft addresses in server.raft.initial_members");
      }
      if (now >= nextReport) {
        progress.accept("graft: joining server " + config.self() + " waits for a member of "
            + config.initialMembers() + " to tell it the identity of database '"
            + config.database() + "' (" + Duration.ofNanos(now - began).toSeconds() + " s so"
            + " far): " + failures);
        nextReport = now + Duration.ofSeconds(10).toNanos();
      }
      Thread.sleep(retry.toMillis());
    }
  }
}
