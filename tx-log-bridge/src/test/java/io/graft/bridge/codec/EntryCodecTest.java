package io.graft.bridge.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.bridge.model.LeaseEntry;
import io.graft.bridge.model.NoOpEntry;
import io.graft.bridge.model.ReplicatedEntry;
import io.graft.bridge.model.TxEntry;
import io.graft.bridge.model.UserRecord;
import io.graft.bridge.model.UsersEntry;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Round trips of every entry kind through {@link EntryCodec}, the pinned wire codes (they live in
 * durable Raft logs, docs/STYLE.md §3.15), and clean failures on foreign or truncated payloads.
 */
class EntryCodecTest {

  @Test
  void typeCodesAndVersionArePinned() {
    assertThat(EntryCodec.TYPE_TX).isEqualTo((byte) 1);
    assertThat(EntryCodec.TYPE_LEASE).isEqualTo((byte) 2);
    assertThat(EntryCodec.TYPE_NOOP).isEqualTo((byte) 3);
    assertThat(EntryCodec.TYPE_USERS).isEqualTo((byte) 4);
    assertThat(CodecVersion.CURRENT).isEqualTo((byte) 1);
    byte[] lease = EntryCodec.encode(new LeaseEntry(7, "a:1"));
    assertThat(lease[0]).isEqualTo(CodecVersion.CURRENT);
    assertThat(lease[1]).isEqualTo(EntryCodec.TYPE_LEASE);
  }

  @Test
  void leaseAndNoOpRoundTrip() {
    assertRoundTrip(new LeaseEntry(1, "127.0.0.1:7000"));
    assertRoundTrip(new LeaseEntry(Integer.MAX_VALUE, "host-ü:1"));
    assertRoundTrip(new NoOpEntry());
  }

  @Test
  void usersEntriesRoundTripWithEveryFlagAndDrops() {
    assertRoundTrip(new UsersEntry(List.of(
        new UserRecord("alice", "SHA-256,aa,bb,1024", false, false),
        new UserRecord("bob-ü", "SHA-256,cc,dd,1024", true, false),
        new UserRecord("carol", "SHA-256,ee,ff,1", true, true),
        UserRecord.drop("dave"))));
    byte[] bytes = EntryCodec.encode(new UsersEntry(List.of(UserRecord.drop("x"))));
    assertThat(bytes[1]).isEqualTo(EntryCodec.TYPE_USERS);
    assertThat(new UserRecord("alice", "SHA-256,secret-hash,salt,1024", false, false).toString())
        .as("credentials stay out of log lines").doesNotContain("secret-hash");
  }

  @RepeatedTest(20)
  void randomTxEntriesRoundTrip() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    byte[] commands = new byte[random.nextInt(5000)];
    random.nextBytes(commands);
    TxEntry tx =
        new TxEntry(
            "m" + random.nextInt(100) + ":" + random.nextInt(65536),
            random.nextLong(),
            random.nextInt(1000) + 1,
            (byte) random.nextInt(128),
            random.nextLong(),
            random.nextLong(),
            random.nextLong(),
            random.nextBoolean() ? null : "user" + random.nextInt(),
            random.nextInt(10_000),
            commands);
    ReplicatedEntry back = EntryCodec.decode(EntryCodec.encode(tx));
    assertThat(back).as("seed %d", seed).isEqualTo(tx);
    assertThat(((TxEntry) back).commands()).as("seed %d", seed).isEqualTo(commands);
  }

  @Test
  void rejectsUnknownVersionTypeAndTruncation() {
    byte[] ok = EntryCodec.encode(new LeaseEntry(3, "x:1"));
    byte[] badVersion = ok.clone();
    badVersion[0] = 99;
    assertThatThrownBy(() -> EntryCodec.decode(badVersion))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("version 99");
    byte[] badType = ok.clone();
    badType[1] = 42;
    assertThatThrownBy(() -> EntryCodec.decode(badType))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("type code 42");
    byte[] truncated = Arrays.copyOf(ok, ok.length - 2);
    assertThatThrownBy(() -> EntryCodec.decode(truncated))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("truncated");
  }

  private static void assertRoundTrip(ReplicatedEntry entry) {
    assertThat(EntryCodec.decode(EntryCodec.encode(entry))).isEqualTo(entry);
  }
}
