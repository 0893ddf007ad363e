package io.graft.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.neo4j.kernel.impl.api.KernelTransactions;
import org.neo4j.kernel.internal.Version;

/**
 * The reflective fields graft swaps exist with the expected types in the Neo4j on the class path,
 * and a mismatch (simulated with wrong specs) refuses to start naming the required version.
 */
class InternalsAccessTest {

  /** The version the build wrote into the jar is the Neo4j Maven compiled and tested against. */
  @Test
  void expectedVersionIsTheNeo4jOnTheClassPath() {
    assertThat(InternalsAccess.EXPECTED_NEO4J_VERSION).isEqualTo(Version.getNeo4jVersion());
  }

  @Test
  void fieldsMatchTheNeo4jOnTheClassPath() {
    assertThatCode(InternalsAccess::verify).doesNotThrowAnyException();
  }

  @Test
  void mismatchNamesTheExpectedVersionAndEveryProblem() {
    List<InternalsAccess.FieldSpec> wrong = List.of(
        new InternalsAccess.FieldSpec(KernelTransactions.class, "noSuchField", Object.class),
        new InternalsAccess.FieldSpec(KernelTransactions.class, "transactionCommitProcess", String.class));
    assertThatThrownBy(() -> InternalsAccess.verify(wrong))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("requires Neo4j " + InternalsAccess.EXPECTED_NEO4J_VERSION)
        .hasMessageContaining("noSuchField does not exist")
        .hasMessageContaining("transactionCommitProcess has type");
  }
}
