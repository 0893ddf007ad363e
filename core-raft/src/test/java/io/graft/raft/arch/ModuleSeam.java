package io.graft.raft.arch;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import io.graft.raft.arch.fixture.seam.UsesApiOnly;
import io.graft.raft.arch.fixture.seam.UsesRuntime;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The seam between modules (docs/STYLE.md §2): a module that depends on core-raft (tx-log-bridge,
 * procedures, plugin) imports only {@code io.graft.raft.api..}, never core-raft's protocol,
 * runtime, storage, transport or message packages. Each of those modules applies the rule to its
 * own main classes in a {@code ModuleSeamTest} (core-raft's test jar carries this class), and
 * shows it bites on a fixture that breaks it.
 */
public final class ModuleSeam {
  private ModuleSeam() {}

  public static final ArchRule ONLY_RAFT_API =
      noClasses()
          .should()
          .dependOnClassesThat(
              resideInAPackage("io.graft.raft..").and(not(resideInAPackage("io.graft.raft.api.."))))
          .because("core-raft's api is the only package other modules import (docs/STYLE.md §2)");

  /**
   * Applies the rule to the module's main classes: {@code target/classes} of the module under test
   * (surefire runs in the module's directory), which must hold classes of {@code rootPackage}.
   * Classes they use from other jars are not read (the rule needs only their names): importing by
   * package and resolving Neo4j's classes took up to 20 s per module on a loaded machine.
   */
  public static void check(String rootPackage) {
    JavaClasses main = withoutResolving(
        () -> new ClassFileImporter().importPath(Path.of("target", "classes")));
    assertThat(main.size()).as("main classes in target/classes").isGreaterThan(3);
    assertThat(main.containPackage(rootPackage)).as("classes of %s", rootPackage).isTrue();
    ONLY_RAFT_API.check(main);
  }

  /** The rule reports a class reaching into core-raft's runtime and passes one that does not. */
  public static void assertRuleBites() {
    assertThat(ONLY_RAFT_API.evaluate(importOnly(UsesRuntime.class)).hasViolation())
        .as("a class calling into io.graft.raft.runtime violates the seam").isTrue();
    assertThat(ONLY_RAFT_API.evaluate(importOnly(UsesApiOnly.class)).hasViolation())
        .as("a class using io.graft.raft.api only keeps the seam").isFalse();
  }

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
