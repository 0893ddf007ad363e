package io.graft.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.MemberId;
import io.graft.raft.protocol.HardState;
import org.junit.jupiter.api.Test;

/**
 * The {@link MetaStoreContractTest} plus what only a durable store promises: saves, and the
 * one-vote-per-term rule, survive close and reopen.
 */
public abstract class DurableMetaStoreContractTest extends MetaStoreContractTest {
  private static final MemberId A = MemberId.of("a");
  private static final MemberId B = MemberId.of("b-\u00e9\u4e2d");

  @Override
  protected abstract MetaStore reopen(MetaStore store);

  @Test
  void savesSurviveReopen() {
    for (int term = 1; term <= 7; term++) {
      meta().save(new HardState(term, term % 2 == 0 ? A : null, term * 10L));
    }
    reopenMeta();
    assertThat(meta().load()).isEqualTo(new HardState(7, null, 70));
    meta().save(new HardState(8, B, 80));
    reopenMeta();
    assertThat(meta().load()).isEqualTo(new HardState(8, B, 80));
    assertThatThrownBy(() -> meta().save(new HardState(8, A, 80)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
