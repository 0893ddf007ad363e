package io.graft.raft.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Enforces docs/STYLE.md §2's dependency rules on core-raft's production classes, and
 * docs/TESTING.md's no-sleep rule on its test classes (the rules are in {@link ArchitectureRules};
 * that each one can fail is shown by {@link ArchitectureRulesCanFailTest}).
 */
class ArchitectureTest {
  /**
   * The deliberately violating fixtures are test classes too; they must not fail the real check.
   */
  private static final ImportOption NOT_FIXTURES =
      location -> !location.contains("/io/graft/raft/arch/fixture/");

  private static JavaClasses production;
  private static JavaClasses tests;

  @BeforeAll
  static void importClasses() {
    production =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.graft.raft"); // not local-cluster's CA, a test dependency
    tests =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
            .withImportOption(NOT_FIXTURES)
            .importPackages("io.graft");
  }

  @Test
  void protocolAndMessagesArePure() {
    ArchitectureRules.PROTOCOL_IS_PURE.check(production);
  }

  @Test
  void protocolHasNoSynchronizedMethods() {
    ArchitectureRules.PROTOCOL_HAS_NO_SYNCHRONIZED_METHODS.check(production);
  }

  @Test
  void storageAndTransportDoNotDependOnRuntime() {
    ArchitectureRules.STORAGE_AND_TRANSPORT_DO_NOT_DEPEND_ON_RUNTIME.check(production);
  }

  @Test
  void apiDependsOnNoImplementationAndFormsNoCycleWithTheRuntime() {
    ArchitectureRules.API_DEPENDS_ON_NO_IMPLEMENTATION.check(production);
  }

  @Test
  void onlyRuntimeCreatesThreads() {
    ArchitectureRules.ONLY_RUNTIME_CREATES_THREADS.check(production);
  }

  @Test
  void loggersComeFromRaftLogging() {
    ArchitectureRules.LOGGERS_COME_FROM_RAFT_LOGGING.check(production);
  }

  @Test
  void noLoggerIsStatic() {
    ArchitectureRules.NO_STATIC_LOGGERS.check(production);
  }

  @Test
  void testsDoNotSleep() {
    ArchitectureRules.TESTS_DO_NOT_SLEEP.check(tests);
  }
}
