package io.graft.cluster;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What goes into every member's {@code neo4j.conf} besides its own addresses.
 *
 * @param raftEnabled write the {@code server.raft.*} lines (only when the plugin jar is present:
 *     strict config validation rejects undeclared settings)
 * @param initialMembers advertised Raft addresses of the founding voters, same on every member
 * @param heap heap size, e.g. {@code 256m}
 * @param pageCache page cache size, e.g. {@code 64m}
 * @param extraSettings further lines, e.g. plugin timeouts
 */
public record NeoConfig(
    boolean raftEnabled,
    List<String> initialMembers,
    String heap,
    String pageCache,
    Map<String, String> extraSettings) {

  public NeoConfig {
    initialMembers = List.copyOf(initialMembers);
    extraSettings = Collections.unmodifiableMap(new TreeMap<>(extraSettings));
  }

  /** A plain server: no graft settings (the jar, if any, stays inert). */
  public static NeoConfig plain(String heap, String pageCache) {
    return new NeoConfig(false, List.of(), heap, pageCache, Map.of());
  }
}
