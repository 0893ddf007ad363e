package io.graft.bridge.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.bridge.model.UserRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster's user table on disk: entries apply in order (a later state of a user replaces the
 * earlier one, a drop stays as a tombstone), the table and its Raft index survive a reopen, a
 * corrupt file is refused rather than read as empty, a snapshot's table replaces the local one
 * (and a snapshot without one empties it), and the listener hears the changed names.
 */
class UsersStateTest {
  @TempDir Path dir;

  private static UserRecord user(String name, String hash, boolean change) {
    return new UserRecord(name, "SHA-256," + hash + ",salt,1024", change, false);
  }

  @Test
  void entriesApplyInOrderAndSurviveAReopen() throws IOException {
    UsersState state = UsersState.open(dir);
    assertThat(state.current().raftIndex()).isZero();
    assertThat(state.current().users()).isEmpty();
    List<Set<String>> heard = new ArrayList<>();
    state.onChange(heard::add);

    state.apply(5, List.of(user("alice", "a1", true), user("bob", "b1", false)));
    state.apply(9, List.of(user("alice", "a2", false), UserRecord.drop("bob")));

    UsersState reopened = UsersState.open(dir);
    assertThat(reopened.current().raftIndex()).isEqualTo(9);
    assertThat(reopened.current().users()).containsOnlyKeys("alice", "bob");
    assertThat(reopened.current().users().get("alice")).isEqualTo(user("alice", "a2", false));
    assertThat(reopened.current().users().get("bob").dropped()).isTrue();
    assertThat(heard).containsExactly(Set.of("alice", "bob"), Set.of("alice", "bob"));
    assertThat(Files.exists(dir.resolve(UsersState.FILE + ".tmp"))).isFalse();
  }

  @Test
  void aCorruptTableIsRefusedNotReadAsEmpty() throws IOException {
    UsersState.open(dir).apply(3, List.of(user("alice", "a1", false)));
    byte[] bytes = Files.readAllBytes(dir.resolve(UsersState.FILE));
    bytes[bytes.length / 2] ^= 0x40;
    Files.write(dir.resolve(UsersState.FILE), bytes);
    assertThatThrownBy(() -> UsersState.open(dir)).isInstanceOf(IOException.class)
        .hasMessageContaining("checksum mismatch");
  }

  @Test
  void aSnapshotsTableReplacesTheLocalOneAndEveryUserOfEitherIsHeard() throws IOException {
    Path leaderDir = dir.resolve("leader");
    UsersState leader = UsersState.open(leaderDir);
    leader.apply(40, List.of(user("carol", "c1", false), UserRecord.drop("dave")));
    Path shipped = dir.resolve("snapshot-users");
    leader.writeTo(shipped);

    UsersState follower = UsersState.open(dir.resolve("follower"));
    follower.apply(2, List.of(user("erin", "e1", false)));
    List<Set<String>> heard = new ArrayList<>();
    follower.onChange(heard::add);
    follower.installFrom(shipped, 50);
    assertThat(follower.current().raftIndex()).isEqualTo(50);
    assertThat(follower.current().users()).containsOnlyKeys("carol", "dave");
    assertThat(heard).containsExactly(Set.of("carol", "dave", "erin"));
    assertThat(UsersState.open(dir.resolve("follower")).current().users())
        .containsOnlyKeys("carol", "dave");

    follower.installFrom(dir.resolve("no-such-file"), 60);
    assertThat(follower.current().users()).isEmpty();
    assertThat(follower.current().raftIndex()).isEqualTo(60);
  }
}
