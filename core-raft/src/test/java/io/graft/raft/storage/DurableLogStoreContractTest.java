package io.graft.raft.storage;

import static io.graft.raft.storage.TestEntries.entry;
import static io.graft.raft.storage.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;

import io.graft.raft.message.LogEntry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@link LogStoreContractTest} plus what only a durable store promises: everything synced,
 * truncations and compactions included, survives close and reopen. A durable implementation's
 * test extends this class (rather than skipping these tests when a flag says "not durable").
 */
public abstract class DurableLogStoreContractTest extends LogStoreContractTest {

  @Override
  protected abstract LogStore reopen(LogStore store);

  @Override
  protected final boolean durable() {
    return true;
  }

  @Test
  void syncedEntriesSurviveReopen() {
    List<LogEntry> written = new ArrayList<>(range(1, 1, 300, 50));
    written.addAll(range(4, 301, 400, 500));
    log().append(written);
    log().sync();
    reopenLog();
    assertThat(log().lastIndex()).isEqualTo(400);
    assertThat(log().entries(1, 401, Long.MAX_VALUE)).isEqualTo(written);
    log().append(List.of(entry(5, 401)));
    log().sync();
    reopenLog();
    assertThat(log().term(401)).isEqualTo(5);
  }

  @Test
  void truncationAndCompactionSurviveReopen() {
    log().append(range(1, 1, 200, 40));
    log().compactPrefix(50, 1);
    log().truncateSuffix(150);
    log().append(range(2, 150, 160, 40));
    log().sync();
    reopenLog();
    assertThat(log().snapshotIndex()).isEqualTo(50);
    assertThat(log().snapshotTerm()).isEqualTo(1);
    assertThat(log().firstIndex()).isEqualTo(51);
    assertThat(log().lastIndex()).isEqualTo(160);
    assertThat(log().term(149)).isEqualTo(1);
    assertThat(log().entries(150, 161, Long.MAX_VALUE)).isEqualTo(range(2, 150, 160, 40));
    assertThat(log().entries(51, 150, Long.MAX_VALUE)).isEqualTo(range(1, 51, 149, 40));
  }

  @Test
  void compactionBeyondTheEndSurvivesReopen() {
    log().append(range(1, 1, 30, 40));
    log().compactPrefix(1000, 7);
    log().sync();
    reopenLog();
    assertThat(log().firstIndex()).isEqualTo(1001);
    assertThat(log().lastIndex()).isEqualTo(1000);
    assertThat(log().term(1000)).isEqualTo(7);
    log().append(List.of(entry(7, 1001)));
    log().sync();
    reopenLog();
    assertThat(log().entries(1001, 1002, 1)).containsExactly(entry(7, 1001));
  }
}
