package io.graft.raft.arch;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.lang.ArchRule;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

/**
 * The dependency rules of docs/STYLE.md §2 as ArchUnit rules. Kept apart from the test that applies
 * them so that {@link ArchitectureRulesCanFailTest} can apply the very same rule objects to
 * deliberately violating fixtures.
 */
final class ArchitectureRules {
  private ArchitectureRules() {}

  static final String[] PURE_PACKAGES = {"..raft.protocol..", "..raft.message.."};

  /** I/O, clocks, threads and concurrency utilities the pure protocol must never touch. */
  private static final DescribedPredicate<JavaClass> IMPURE =
      resideInAnyPackage("io.netty..", "java.nio.file..", "java.net..", "java.util.concurrent..")
          .or(nameMatching("java\\.io\\.File.*"))
          .or(name("java.time.Clock"))
          .or(assignableTo(Thread.class))
          .as("I/O, network, clock, thread or java.util.concurrent classes");

  /** docs/STYLE.md §3.1: the protocol is a pure function of (state, input). */
  static final ArchRule PROTOCOL_IS_PURE =
      noClasses()
          .that()
          .resideInAnyPackage(PURE_PACKAGES)
          .should()
          .dependOnClassesThat(IMPURE)
          .orShould()
          .callMethod(System.class, "currentTimeMillis")
          .orShould()
          .callMethod(System.class, "nanoTime")
          .orShould()
          .callMethod(Math.class, "random")
          .because("the protocol is pure and deterministic: no I/O, clock, threads "
              + "(docs/STYLE.md §2)");

  /** docs/STYLE.md §3.3: one thread owns the machine, so nothing in protocol locks. */
  static final ArchRule PROTOCOL_HAS_NO_SYNCHRONIZED_METHODS =
      noMethods()
          .that()
          .areDeclaredInClassesThat()
          .resideInAnyPackage(PURE_PACKAGES)
          .should()
          .haveModifier(JavaModifier.SYNCHRONIZED)
          .because("one thread owns the RaftMachine; nothing is shared, so nothing is locked");

  static final ArchRule STORAGE_AND_TRANSPORT_DO_NOT_DEPEND_ON_RUNTIME =
      noClasses()
          .that()
          .resideInAnyPackage("..raft.storage..", "..raft.transport..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("..raft.runtime..")
          .because("the runtime composes storage and transport, never the reverse "
              + "(docs/STYLE.md §2)");

  private static final DescribedPredicate<JavaCall<?>> CREATES_THREADS =
      describe(
          "creates a thread or an executor",
          call -> {
            JavaClass owner = call.getTargetOwner();
            boolean constructor = call.getTarget().getName().equals("<init>");
            return (constructor
                    && (owner.isAssignableTo(Thread.class)
                        || owner.isAssignableTo(ExecutorService.class)))
                || owner.isEquivalentTo(Executors.class)
                || (owner.isAssignableTo(ThreadFactory.class)
                    && call.getTarget().getName().equals("newThread"));
          });

  /** Only the runtime (and Netty's event loops in transport.netty) may create threads. */
  static final ArchRule ONLY_RUNTIME_CREATES_THREADS =
      noClasses()
          .that()
          .resideOutsideOfPackages("..raft.runtime..", "..raft.transport.netty..")
          .should()
          .callCodeUnitWhere(CREATES_THREADS)
          .because("the runtime owns the only threads (docs/STYLE.md §2, §3.3)");

  /**
   * Loggers come from a member's RaftLogging: inside a Neo4j server slf4j drops core-raft's lines,
   * and only the sink the host hands each member brings them to that member's log. RaftLogging
   * itself asks slf4j for the loggers of a member that logs to slf4j.
   */
  static final ArchRule LOGGERS_COME_FROM_RAFT_LOGGING =
      noClasses()
          .that()
          .doNotHaveFullyQualifiedName("io.graft.raft.api.RaftLogging")
          .should()
          .callMethod(org.slf4j.LoggerFactory.class, "getLogger", Class.class)
          .orShould()
          .callMethod(org.slf4j.LoggerFactory.class, "getLogger", String.class)
          .because("a Neo4j server drops slf4j lines from io.graft; RaftLogging forwards them");

  /**
   * No logger is static: a static logger is shared by every member in the JVM, so with several
   * members (databases, a test's cluster) one member's lines would reach another's log. Each
   * part that logs gets its logger from the member's RaftLogging, through its constructor.
   */
  static final ArchRule NO_STATIC_LOGGERS =
      noFields()
          .that()
          .haveRawType(org.slf4j.Logger.class)
          .should()
          .beStatic()
          .because("each member logs to its own sink; a static logger is shared by all of them");

  /**
   * The api is what other modules import (docs/STYLE.md §2): types and interfaces that depend on no
   * other core-raft package. {@code api.boot} is its one door into the runtime (it starts a member
   * from a setup), so api and runtime form no cycle.
   */
  static final ArchRule API_DEPENDS_ON_NO_IMPLEMENTATION =
      noClasses()
          .that()
          .resideInAPackage("..raft.api..")
          .and()
          .resideOutsideOfPackage("..raft.api.boot..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("..raft.runtime..", "..raft.protocol..", "..raft.storage..",
              "..raft.transport..", "..raft.message..", "..raft.api.boot..")
          .because("the api is types and interfaces; api.boot starts members (docs/STYLE.md §2)");

  /** docs/TESTING.md: no test sleeps nor parks ({@link NoSleep}, shared with other modules). */
  static final ArchRule TESTS_DO_NOT_SLEEP = NoSleep.RULE;
}
