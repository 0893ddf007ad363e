package io.graft.cluster;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/TESTING.md: no test sleeps nor parks; tests wait on a condition with a bound (Awaitility,
 * local-cluster's Waits) or step virtual time. The shared rule is core-raft's test-jar class
 * {@code io.graft.raft.arch.NoSleep} (its ArchitectureRulesCanFailTest shows it bites); this module
 * cannot depend on that jar (core-raft's TLS tests use this module's throwaway CA: a reactor
 * cycle), so the same predicate is stated here, on this module's tests and on the harness itself.
 */
class NoSleepTest {
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

  private static final ArchRule RULE =
      noClasses().should().callCodeUnitWhere(TIMED_PAUSES)
          .because("tests step virtual time or await a condition with a bound (docs/TESTING.md)");

  @Test
  void testsDoNotSleep() {
    check(Path.of("target", "test-classes"));
  }

  /** The harness the it-tests and benchmarks wait through keeps the rule too. */
  @Test
  void theClusterHarnessDoesNotSleep() {
    check(Path.of("target", "classes"));
  }

  private static void check(Path classes) {
    assertThat(Files.isDirectory(classes)).as("%s", classes.toAbsolutePath()).isTrue();
    JavaClasses imported = new ClassFileImporter().importPath(classes);
    assertThat(imported.size()).as("classes in %s", classes).isGreaterThan(0);
    RULE.check(imported);
  }
}
