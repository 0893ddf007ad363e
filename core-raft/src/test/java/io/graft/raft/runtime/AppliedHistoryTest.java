package io.graft.raft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.MemberId;
import io.graft.raft.protocol.membership.Configuration;
import io.graft.raft.protocol.membership.ConfigurationCodec;
import io.graft.raft.runtime.snapshot.SnapshotStore;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The term and configuration a snapshot written while applying gets for its index: what the
 * apply thread had reached there, whether or not a point was stored at exactly that index.
 */
class AppliedHistoryTest {
  private static final Configuration ABC = new Configuration(
      Set.of(MemberId.of("a"), MemberId.of("b"), MemberId.of("c")), Set.of());
  private static final Configuration ABCD = new Configuration(
      Set.of(MemberId.of("a"), MemberId.of("b"), MemberId.of("c")), Set.of(MemberId.of("d")));

  private static void assertMeta(AppliedHistory h, long index, long term, Configuration c)
      throws Exception {
    SnapshotStore.Meta meta = h.meta(index, 0);
    assertThat(meta.term()).as("term at %d", index).isEqualTo(term);
    assertThat(ConfigurationCodec.decode(meta.configuration())).as("configuration at %d", index)
        .isEqualTo(c);
  }

  @Test
  void storesOnlyChangesAndAnswersEveryReachedIndex() throws Exception {
    AppliedHistory h = new AppliedHistory();
    for (long i = 1; i <= 1000; i++) {
      long term = i < 400 ? 2 : 3;
      h.applied(i, term, i < 700 ? ABC : ABCD);
    }
    assertThat(h.size()).isEqualTo(3); // 1 (term 2, ABC), 400 (term 3), 700 (ABCD)
    assertMeta(h, 1, 2, ABC);
    assertMeta(h, 399, 2, ABC);
    assertMeta(h, 400, 3, ABC);
    assertMeta(h, 699, 3, ABC);
    assertMeta(h, 700, 3, ABCD);
    assertMeta(h, 1000, 3, ABCD);
  }

  @Test
  void forgettingBeforeASnapshotKeepsThePointThatHoldsItsIndex() throws Exception {
    AppliedHistory h = new AppliedHistory();
    for (long i = 1; i <= 100; i++) {
      h.applied(i, i <= 10 ? 1 : 2, ABC);
    }
    h.forgetBefore(50); // the point stored at 11 holds index 50's term: kept
    assertMeta(h, 50, 2, ABC);
    assertMeta(h, 100, 2, ABC);
    assertThat(h.size()).isEqualTo(1);
  }

  @Test
  void anIndexNotReachedYetTimesOutAndAnUnknownConfigurationIsRefused() {
    AppliedHistory h = new AppliedHistory();
    h.applied(5, 1, null);
    assertThatThrownBy(() -> h.meta(6, 0)).hasMessageContaining("did not reach index 6");
    assertThatThrownBy(() -> h.meta(5, 0)).hasMessageContaining("no term and configuration");
    h.applied(6, 1, ABC); // the configuration became known: a new point
    assertThat(h.size()).isEqualTo(2);
  }

  @Test
  void aResetStartsOverAtTheInstalledSnapshot() throws Exception {
    AppliedHistory h = new AppliedHistory();
    h.applied(10, 1, ABC);
    h.reset(500, 4, ABCD);
    assertMeta(h, 500, 4, ABCD);
    assertThatThrownBy(() -> h.meta(10, 0)).hasMessageContaining("no term and configuration");
  }
}
