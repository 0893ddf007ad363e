package io.graft.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.graft.raft.api.MemberId;
import io.graft.raft.protocol.HardState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link MetaStore} must have: an empty store loads {@link HardState#EMPTY}, a
 * save is what the next load returns (and, for durable stores, what a reopen returns), and the
 * store refuses the two saves a correct Raft never makes: a lower term, or a different vote in the
 * same term (Raft §5.2: at most one vote per term; Figure 2: currentTerm increases monotonically).
 */
public abstract class MetaStoreContractTest {
  private static final MemberId A = MemberId.of("a");
  private static final MemberId B = MemberId.of("b-\u00e9\u4e2d");

  private MetaStore store;

  protected abstract MetaStore create();

  protected MetaStore reopen(MetaStore store) {
    throw new UnsupportedOperationException("not durable");
  }

  protected boolean durable() {
    return false;
  }

  private MetaStore meta() {
    if (store == null) {
      store = create();
    }
    return store;
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void freshStoreLoadsEmpty() {
    assertThat(meta().load()).isEqualTo(HardState.EMPTY);
  }

  @Test
  void loadReturnsTheLastSave() {
    meta().save(new HardState(1, null, 0));
    meta().save(new HardState(1, A, 0));
    meta().save(new HardState(1, A, 5));
    assertThat(meta().load()).isEqualTo(new HardState(1, A, 5));
    meta().save(new HardState(4, null, 5));
    meta().save(new HardState(4, B, 7));
    assertThat(meta().load()).isEqualTo(new HardState(4, B, 7));
  }

  @Test
  void lowerTermIsRejected() {
    meta().save(new HardState(3, A, 2));
    assertThatThrownBy(() -> meta().save(new HardState(2, A, 2)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(meta().load()).isEqualTo(new HardState(3, A, 2));
  }

  @Test
  void secondVoteInOneTermIsRejected() {
    meta().save(new HardState(3, A, 2));
    assertThatThrownBy(() -> meta().save(new HardState(3, B, 2)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> meta().save(new HardState(3, null, 2)))
        .isInstanceOf(IllegalArgumentException.class);
    meta().save(new HardState(3, A, 9));
    assertThat(meta().load()).isEqualTo(new HardState(3, A, 9));
  }

  @Test
  void savesSurviveReopen() {
    assumeTrue(durable(), "durable stores only");
    for (int term = 1; term <= 7; term++) {
      meta().save(new HardState(term, term % 2 == 0 ? A : null, term * 10L));
    }
    store = reopen(store);
    assertThat(meta().load()).isEqualTo(new HardState(7, null, 70));
    meta().save(new HardState(8, B, 80));
    store = reopen(store);
    assertThat(meta().load()).isEqualTo(new HardState(8, B, 80));
    assertThatThrownBy(() -> meta().save(new HardState(8, A, 80)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
