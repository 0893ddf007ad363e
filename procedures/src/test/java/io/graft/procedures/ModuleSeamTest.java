package io.graft.procedures;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.graft.raft.api.MemberId;
import io.graft.raft.runtime.RaftNodeBuilder;
import org.junit.jupiter.api.Test;

/**
 * The seam between modules (docs/STYLE.md §2): procedures imports only {@code
 * io.graft.raft.api..} of core-raft, never its protocol, runtime, storage, transport or message
 * packages. Checked on this module's main classes, and shown to bite on a class that breaks it.
 */
class ModuleSeamTest {
  static final ArchRule ONLY_RAFT_API =
      noClasses()
          .should()
          .dependOnClassesThat(
              resideInAPackage("io.graft.raft..")
                  .and(not(resideInAPackage("io.graft.raft.api.."))))
          .because("core-raft's api is the only package other modules import (docs/STYLE.md §2)");

  @Test
  void mainClassesImportOnlyTheRaftApi() {
    JavaClasses main = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.graft.procedures");
    assertThat(main.size()).as("main classes of procedures found").isGreaterThan(3);
    ONLY_RAFT_API.check(main);
  }

  @Test
  void theRuleBitesOnAClassThatImportsCoreRaftInternals() {
    assertThat(ONLY_RAFT_API.evaluate(importOnly(UsesRuntime.class)).hasViolation()).isTrue();
    assertThat(ONLY_RAFT_API.evaluate(importOnly(UsesApi.class)).hasViolation()).isFalse();
  }

  private static JavaClasses importOnly(Class<?> type) {
    return new ClassFileImporter().importClasses(type);
  }

  /** Breaks the rule: reaches into core-raft's runtime. */
  static final class UsesRuntime {
    boolean stateIn(java.nio.file.Path dir) {
      return RaftNodeBuilder.hasRaftState(dir);
    }
  }

  /** Keeps it: core-raft's api only. */
  static final class UsesApi {
    MemberId id() {
      return MemberId.of("10.0.0.1:7000");
    }
  }
}
