package io.graft.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.MemberId;
import io.graft.raft.protocol.HardState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link MetaStore} must have: an empty store loads {@link HardState#EMPTY}, a
 * save is what the next load returns (and, for durable stores, what a reopen returns), and the
 * store refuses the two saves a correct Raft never makes: a lower term, or a different vote in the
 * same term (Raft §5.2: at most one vote per term; Figure 2: currentTerm increases monotonically).
 * Durable stores extend {@link DurableMetaStoreContractTest}.
 */
public abstract class MetaStoreContractTest {
  private static final MemberId A = MemberId.of("a");
  private static final MemberId B = MemberId.of("b-\u00e9\u4e2d");

  private MetaStore store;

  protected abstract MetaStore create();

  protected MetaStore reopen(MetaStore store) {
    throw new UnsupportedOperationException("not durable");
  }

  protected MetaStore meta() {
    if (store == null) {
      store = create();
    }
    return store;
  }

  /** Closes the store and opens the same storage again ({@link #reopen}). */
  protected final void reopenMeta() {
    store = reopen(store);
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
}
