package io.graft.raft.arch;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import io.graft.raft.arch.fixture.raft.api.ApiViolations;
import io.graft.raft.arch.fixture.raft.protocol.ImpureProtocol;
import io.graft.raft.arch.fixture.raft.runtime.LoggerViolations;
import io.graft.raft.arch.fixture.raft.runtime.FakeRuntime;
import io.graft.raft.arch.fixture.raft.storage.StorageViolations;
import io.graft.raft.arch.fixture.sleeping.Sleeper;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A rule that cannot fail proves nothing: every rule of {@link ArchitectureRules} is applied to a
 * fixture that breaks it (and must report a violation) and to a clean class (which must pass). The
 * fixtures live in packages named like the real ones ({@code ..raft.protocol..}, {@code
 * ..raft.storage..}, {@code ..raft.runtime..}) so the rules' package patterns are exercised too.
 */
class ArchitectureRulesCanFailTest {

  static Stream<Class<?>> impureProtocolClasses() {
    return Stream.of(
        ImpureProtocol.UsesNanoTime.class,
        ImpureProtocol.UsesCurrentTimeMillis.class,
        ImpureProtocol.UsesMathRandom.class,
        ImpureProtocol.UsesConcurrent.class,
        ImpureProtocol.UsesFile.class,
        ImpureProtocol.UsesNioPath.class,
        ImpureProtocol.UsesNet.class,
        ImpureProtocol.UsesClock.class,
        ImpureProtocol.UsesThread.class,
        ImpureProtocol.UsesNetty.class);
  }

  @ParameterizedTest
  @MethodSource("impureProtocolClasses")
  void purityRuleCatches(Class<?> violator) {
    assertViolates(ArchitectureRules.PROTOCOL_IS_PURE, violator);
  }

  @Test
  void purityRulesPassACleanClass() {
    assertPasses(ArchitectureRules.PROTOCOL_IS_PURE, ImpureProtocol.Clean.class);
    assertPasses(
        ArchitectureRules.PROTOCOL_HAS_NO_SYNCHRONIZED_METHODS, ImpureProtocol.Clean.class);
  }

  @Test
  void synchronizedRuleCatchesALockingMethod() {
    assertViolates(
        ArchitectureRules.PROTOCOL_HAS_NO_SYNCHRONIZED_METHODS, ImpureProtocol.Locks.class);
  }

  @Test
  void layeringRuleCatchesStorageDependingOnRuntime() {
    assertViolates(
        ArchitectureRules.STORAGE_AND_TRANSPORT_DO_NOT_DEPEND_ON_RUNTIME,
        StorageViolations.DependsOnRuntime.class);
    assertPasses(
        ArchitectureRules.STORAGE_AND_TRANSPORT_DO_NOT_DEPEND_ON_RUNTIME,
        StorageViolations.StartsThread.class);
  }

  @Test
  void apiRuleCatchesAnApiClassReachingIntoTheRuntime() {
    assertViolates(ArchitectureRules.API_DEPENDS_ON_NO_IMPLEMENTATION,
        ApiViolations.StartsThroughRuntime.class);
    assertPasses(ArchitectureRules.API_DEPENDS_ON_NO_IMPLEMENTATION, ApiViolations.Clean.class);
  }

  @Test
  void threadRuleCatchesThreadsAndExecutorsOutsideRuntime() {
    assertViolates(
        ArchitectureRules.ONLY_RUNTIME_CREATES_THREADS, StorageViolations.StartsThread.class);
    assertViolates(
        ArchitectureRules.ONLY_RUNTIME_CREATES_THREADS, StorageViolations.CreatesExecutor.class);
    // the runtime may start threads; a clean class beside it gives the rule something to check
    assertPasses(
        ArchitectureRules.ONLY_RUNTIME_CREATES_THREADS,
        FakeRuntime.class,
        ImpureProtocol.Clean.class);
  }

  @Test
  void loggerRulesCatchAStaticLoggerAndOneFromTheFactory() {
    assertViolates(ArchitectureRules.NO_STATIC_LOGGERS, LoggerViolations.StaticLogger.class);
    assertViolates(
        ArchitectureRules.LOGGERS_COME_FROM_RAFT_LOGGING, LoggerViolations.StaticLogger.class);
    assertPasses(ArchitectureRules.NO_STATIC_LOGGERS, LoggerViolations.Clean.class);
    assertPasses(ArchitectureRules.LOGGERS_COME_FROM_RAFT_LOGGING, LoggerViolations.Clean.class);
  }

  @Test
  void sleepRuleCatchesASleepingTest() {
    assertViolates(ArchitectureRules.TESTS_DO_NOT_SLEEP, Sleeper.class);
    assertPasses(ArchitectureRules.TESTS_DO_NOT_SLEEP, ImpureProtocol.Clean.class);
    NoSleep.assertRuleBites();
  }

  @Test
  void moduleSeamRuleCatchesACallIntoTheRuntime() {
    ModuleSeam.assertRuleBites();
  }

  private static void assertViolates(ArchRule rule, Class<?> type) {
    assertThat(rule.evaluate(new ClassFileImporter().importClasses(type)).hasViolation())
        .as("%s must be violated by %s", rule.getDescription(), type.getName())
        .isTrue();
  }

  private static void assertPasses(ArchRule rule, Class<?>... types) {
    assertThat(rule.evaluate(new ClassFileImporter().importClasses(types)).hasViolation())
        .as("%s must accept %s", rule.getDescription(), java.util.Arrays.toString(types))
        .isFalse();
  }
}
