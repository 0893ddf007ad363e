package io.graft.raft.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.graft.raft.arch.fixture.sleeping.Parker;
import io.graft.raft.arch.fixture.sleeping.Sleeper;
import io.graft.raft.arch.fixture.sleeping.ThreadSleeper;
import io.graft.raft.arch.fixture.sleeping.Waiter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * docs/TESTING.md: no test sleeps. A test steps virtual time or waits on a condition with a bound
 * (Awaitility, or local-cluster's {@code Waits}); a fixed pause is either too short on a loaded
 * machine (a flake) or too long everywhere else, and hides what the test waits for. Banned: {@code
 * Thread.sleep}, {@code TimeUnit.sleep}, {@code LockSupport.parkNanos} and {@code parkUntil}
 * (plain {@code park()}, a blocking primitive, is not a timed pause).
 *
 * <p>Every test module applies the rule to its own {@code target/test-classes} in a {@code
 * NoSleepTest} (core-raft's test jar carries this class), and local-cluster to its main classes as
 * well: that is the cluster harness the it-tests and benchmarks wait through.
 */
public final class NoSleep {
  private NoSleep() {}

  private static final DescribedPredicate<JavaCall<?>> TIMED_PAUSES =
      DescribedPredicate.describe(
          "Thread.sleep, TimeUnit.sleep, LockSupport.parkNanos or parkUntil",
          call -> {
            String owner = call.getTargetOwner().getName();
            String name = call.getTarget().getName();
            return (name.equals("sleep")
                    && (owner.equals(Thread.class.getName())
                        || owner.equals(java.util.concurrent.TimeUnit.class.getName())))
                || ((name.equals("parkNanos") || name.equals("parkUntil"))
                    && owner.equals(java.util.concurrent.locks.LockSupport.class.getName()));
          });

  public static final ArchRule RULE =
      noClasses()
          .should()
          .callCodeUnitWhere(TIMED_PAUSES)
          .because("tests step virtual time or await a condition with a bound "
              + "(docs/TESTING.md, docs/STYLE.md §3.14)");

  /** The rule on the module's test classes ({@code target/test-classes}), fixtures excepted. */
  public static void checkTestClasses() {
    check(Path.of("target", "test-classes"));
  }

  /** The rule on the module's main classes ({@code target/classes}): local-cluster's harness. */
  public static void checkMainClasses() {
    check(Path.of("target", "classes"));
  }

  private static void check(Path classes) {
    assertThat(Files.isDirectory(classes)).as("%s (surefire runs in the module's folder)",
        classes.toAbsolutePath()).isTrue();
    JavaClasses imported = withoutResolving(() -> new ClassFileImporter()
        .withImportOption(NOT_FIXTURES).importPath(classes));
    assertThat(imported.size()).as("classes in %s", classes).isGreaterThan(0);
    RULE.check(imported);
  }

  /** The rule reports each banned pause and passes a class that awaits a condition. */
  public static void assertRuleBites() {
    for (Class<?> sleeper : new Class<?>[] {Sleeper.class, ThreadSleeper.class, Parker.class}) {
      assertThat(RULE.evaluate(importOnly(sleeper)).hasViolation())
          .as("%s pauses and must violate the rule", sleeper.getSimpleName()).isTrue();
    }
    assertThat(RULE.evaluate(importOnly(Waiter.class)).hasViolation())
        .as("a class that waits on a condition keeps the rule").isFalse();
  }

  /** The deliberately pausing fixtures are test classes too; they must not fail the real check. */
  private static final ImportOption NOT_FIXTURES =
      location -> !location.contains("/io/graft/raft/arch/fixture/");

  private static JavaClasses importOnly(Class<?> type) {
    return withoutResolving(() -> new ClassFileImporter().importClasses(type));
  }

  private static JavaClasses withoutResolving(Supplier<JavaClasses> importer) {
    ArchConfiguration config = ArchConfiguration.get();
    boolean resolve = config.resolveMissingDependenciesFromClassPath();
    config.setResolveMissingDependenciesFromClassPath(false);
    try {
      return importer.get();
    } finally {
      config.setResolveMissingDependenciesFromClassPath(resolve);
    }
  }
}
