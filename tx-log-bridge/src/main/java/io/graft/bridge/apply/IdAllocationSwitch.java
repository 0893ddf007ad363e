package io.graft.bridge.apply;

import org.neo4j.internal.id.IdGeneratorFactory;
import org.neo4j.io.pagecache.context.CursorContext;
import org.neo4j.io.pagecache.context.CursorContextFactory;

/**
 * Only the leader allocates ids (docs/NEO4J-INTERNALS.md §4 rule 1): {@code clearCache(true)} once
 * this member's lease is applied, {@code clearCache(false)} on every other member and on step-down.
 * With allocation off, freed ids are recorded on disk so they are ready after a promotion.
 */
public final class IdAllocationSwitch implements IdAllocation {
  private final IdGeneratorFactory ids;
  private final CursorContextFactory contexts;
  private Boolean enabled;

  public IdAllocationSwitch(IdGeneratorFactory ids, CursorContextFactory contexts) {
    this.ids = ids;
    this.contexts = contexts;
  }

  @Override
  public synchronized void set(boolean allocationEnabled) {
    if (enabled != null && enabled == allocationEnabled) {
      return;
    }
    try (CursorContext ctx = contexts.create("graft-id-allocation")) {
      ids.clearCache(allocationEnabled, ctx);
    }
    enabled = allocationEnabled;
  }

  public synchronized boolean enabled() {
    return enabled != null && enabled;
  }
}
