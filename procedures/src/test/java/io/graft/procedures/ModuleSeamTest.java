package io.graft.procedures;

import io.graft.raft.arch.ModuleSeam;
import org.junit.jupiter.api.Test;

/**
 * The module seam (docs/STYLE.md §2) for procedures: main classes import only
 * {@code io.graft.raft.api..} of core-raft. The rule lives in core-raft's test jar
 * ({@link ModuleSeam}), shared by every module that depends on core-raft.
 */
class ModuleSeamTest {

  @Test
  void mainClassesImportOnlyTheRaftApi() {
    ModuleSeam.check("io.graft.procedures");
  }

  @Test
  void theRuleBitesOnAClassThatReachesIntoCoreRaftInternals() {
    ModuleSeam.assertRuleBites();
  }
}
