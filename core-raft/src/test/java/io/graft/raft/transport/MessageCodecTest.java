package io.graft.raft.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.graft.raft.api.MemberId;
import io.graft.raft.message.AppendEntries;
import io.graft.raft.message.AppendEntriesResponse;
import io.graft.raft.message.CommitNotice;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.Heartbeat;
import io.graft.raft.message.HeartbeatResponse;
import io.graft.raft.message.InstallSnapshot;
import io.graft.raft.message.InstallSnapshotResponse;
import io.graft.raft.message.LogEntry;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.message.RequestVote;
import io.graft.raft.message.RequestVoteResponse;
import io.graft.raft.message.TimeoutNow;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The wire format (docs/STYLE.md §3.15): pinned type codes and golden bytes (a change here breaks
 * mixed version clusters, so it must be deliberate), seeded round trips of every message type, and
 * hostile input (every truncation, random garbage, absurd length fields) failing with a clean
 * {@link CodecException} and no large allocation. Seeds are in every failure message.
 */
public class MessageCodecTest {
  private static final long BASE_SEED = Long.getLong("codec.seed", 20261127L);
  private static final int ROUNDS = 300;
  private final MessageCodec codec = new MessageCodec();
  private final MemberId a = MemberId.of("a");

  @Test
  void typeCodesArePinned() {
    assertThat(MessageCodec.PROTOCOL_VERSION).isEqualTo(3);
    assertThat(MessageCodec.typeCode(new AppendEntries(a, 1, 0, 0, List.of(), 0))).isEqualTo(1);
    assertThat(MessageCodec.typeCode(new AppendEntriesResponse(a, 1, true, 0, 0, 0, 0)))
        .isEqualTo(2);
    assertThat(MessageCodec.typeCode(new RequestVote(a, 1, 0, 0, false, false))).isEqualTo(3);
    assertThat(MessageCodec.typeCode(new RequestVoteResponse(a, 1, true, false))).isEqualTo(4);
    assertThat(MessageCodec.typeCode(new Heartbeat(a, 1, 0, 0))).isEqualTo(5);
    assertThat(MessageCodec.typeCode(new HeartbeatResponse(a, 1, 0, 0))).isEqualTo(6);
    assertThat(MessageCodec.typeCode(new TimeoutNow(a, 1))).isEqualTo(7);
    assertThat(MessageCodec.typeCode(
        new InstallSnapshot(a, 1, 1, 1, new byte[0], 0, new byte[0], 0, true))).isEqualTo(8);
    assertThat(MessageCodec.typeCode(new InstallSnapshotResponse(a, 1, 1, 0, true, true)))
        .isEqualTo(9);
    assertThat(MessageCodec.typeCode(new CommitNotice(a, 1, 1))).isEqualTo(12);
    assertThat(MessageCodec.TYPE_HANDSHAKE).isEqualTo(64);
    assertThat(MessageCodec.TYPE_HANDSHAKE_REPLY).isEqualTo(65);
    assertThat(EntryType.APPLICATION.code()).isEqualTo(1);
    assertThat(EntryType.NOOP.code()).isEqualTo(2);
    assertThat(EntryType.CONFIGURATION.code()).isEqualTo(3);
  }

  @Test
  void goldenBytesOfAppendEntriesAndHandshake() {
    AppendEntries ae = new AppendEntries(a, 2, 3, 1, List.of(
        new LogEntry(2, 4, EntryType.APPLICATION, new byte[] {(byte) 0xCA, (byte) 0xFE})), 3);
    assertThat(HexFormat.of().formatHex(codec.encode(ae))).isEqualTo(
        "0301" + "000161" + "0000000000000002" + "0000000000000003" + "0000000000000001"
            + "0000000000000003" + "00000001"
            + "0000000000000002" + "0000000000000004" + "01" + "00000002" + "cafe");
    var hs = new WireMessage.Handshake(1, "c1", a);
    assertThat(HexFormat.of().formatHex(codec.encode(hs)))
        .isEqualTo("0140" + "47524654" + "00026331" + "000161");
  }

  /** encode(message, headroom): the payload after zero headroom, in one exactly sized array. */
  @Test
  void encodingWithHeadroomIsThePayloadAfterZeroBytes() {
    for (int round = 0; round < 50; round++) {
      RandomMessages gen = new RandomMessages(BASE_SEED + round);
      for (int kind = 0; kind < RandomMessages.TYPE_COUNT; kind++) {
        RaftMessage m = gen.of(kind);
        byte[] plain = codec.encode(m);
        byte[] framed = codec.encode(m, 8);
        assertThat(framed).hasSize(plain.length + 8);
        assertThat(java.util.Arrays.copyOfRange(framed, 0, 8)).containsOnly(0);
        assertThat(java.util.Arrays.copyOfRange(framed, 8, framed.length)).isEqualTo(plain);
      }
    }
  }

  @Test
  void everyMessageTypeRoundTrips() {
    for (int round = 0; round < ROUNDS; round++) {
      long seed = BASE_SEED + round;
      RandomMessages gen = new RandomMessages(seed);
      for (int kind = 0; kind < RandomMessages.TYPE_COUNT; kind++) {
        RaftMessage original = gen.of(kind);
        WireMessage decoded = codec.decode(codec.encode(original));
        assertThat(decoded).as("seed %d kind %d", seed, kind).isInstanceOf(WireMessage.Raft.class);
        assertThat(sameMessage(((WireMessage.Raft) decoded).message(), original))
            .as("seed %d kind %d: %s", seed, kind, original).isTrue();
      }
    }
  }

  @Test
  void handshakesRoundTripAtAnyVersion() {
    for (int version : new int[] {1, 2, 255}) {
      var hs = new WireMessage.Handshake(version, "cluster-ü", MemberId.of("n1"));
      assertThat(codec.decode(codec.encode(hs))).isEqualTo(hs);
      var reply = new WireMessage.HandshakeReply(version, false, MemberId.of("n2"), "no: because");
      assertThat(codec.decode(codec.encode(reply))).isEqualTo(reply);
    }
  }

  @Test
  void handshakesCarryTheIncarnationBothWays() {
    java.util.UUID inc = new java.util.UUID(0x0123456789abcdefL, -2L);
    for (int version : new int[] {1, 2, 255}) {
      for (String info : new String[] {"", "10.0.0.1:7687"}) {
        var hs = new WireMessage.Handshake(version, "c", MemberId.of("n1"), info, inc);
        assertThat(codec.decode(codec.encode(hs))).isEqualTo(hs);
        var reply = new WireMessage.HandshakeReply(version, true, MemberId.of("n2"), "", info, inc);
        assertThat(codec.decode(codec.encode(reply))).isEqualTo(reply);
      }
    }
    // Golden: the frozen prefix, then the (empty) info and the 16 incarnation bytes.
    var hs = new WireMessage.Handshake(2, "c1", a, "", inc);
    assertThat(HexFormat.of().formatHex(codec.encode(hs))).isEqualTo("0240" + "47524654"
        + "00026331" + "000161" + "0000" + "0123456789abcdef" + "fffffffffffffffe");
    // A refusal without incarnation keeps the version-1 layout a version-1 reader can parse.
    var refusal = new WireMessage.HandshakeReply(2, false, a, "no", "");
    assertThat(codec.decode(codec.encode(refusal)).equals(refusal)).isTrue();
    assertThat(codec.encode(refusal)).hasSize(2 + 4 + 1 + 3 + 4);
  }

  @Test
  void hostileIncarnationBytesFailCleanly() {
    java.util.UUID inc = java.util.UUID.randomUUID();
    byte[] hs = codec.encode(new WireMessage.Handshake(2, "c", a, "", inc));
    for (int len = hs.length - 15; len < hs.length; len++) {
      assertInvalid(java.util.Arrays.copyOf(hs, len), "");
    }
    assertInvalid(java.util.Arrays.copyOf(hs, hs.length + 1), "trailing");
    byte[] zero = hs.clone();
    java.util.Arrays.fill(zero, hs.length - 16, hs.length, (byte) 0);
    assertInvalid(zero, "incarnation 0 is invalid");
    byte[] reply = codec.encode(new WireMessage.HandshakeReply(2, true, a, "", "", inc));
    byte[] zeroReply = reply.clone();
    java.util.Arrays.fill(zeroReply, reply.length - 16, reply.length, (byte) 0);
    assertInvalid(zeroReply, "incarnation 0 is invalid");
    assertInvalid(java.util.Arrays.copyOf(reply, reply.length - 3), "");
    assertThatThrownBy(() -> new WireMessage.Handshake(2, "c", a, "", null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void everyTruncationFailsCleanly() {
    for (int round = 0; round < 12; round++) {
      long seed = BASE_SEED + round;
      RandomMessages gen = new RandomMessages(seed);
      for (int kind = 0; kind < RandomMessages.TYPE_COUNT; kind++) {
        byte[] full = codec.encode(gen.of(kind));
        int step = Math.max(1, full.length / 200);
        for (int len = 0; len < full.length; len += step) {
          try {
            codec.decode(java.util.Arrays.copyOf(full, len));
            fail("seed " + seed + " kind " + kind + ": prefix of " + len + " bytes decoded");
          } catch (CodecException expected) {
            // every proper prefix is incomplete
          }
        }
      }
    }
  }

  @Test
  void randomGarbageNeverThrowsAnythingButCodecException() {
    long seed = BASE_SEED;
    Random random = new Random(seed);
    int decodedByChance = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] junk = new byte[random.nextInt(200)];
      random.nextBytes(junk);
      if (junk.length > 0 && random.nextBoolean()) {
        junk[0] = 1; // valid version, so the body parsers get exercised
        if (junk.length > 1) {
          junk[1] = (byte) (1 + random.nextInt(9));
        }
      }
      try {
        codec.decode(junk);
        decodedByChance++;
      } catch (CodecException expected) {
        // the only acceptable failure
      } catch (RuntimeException e) {
        fail("seed " + seed + " iteration " + i + ": " + e, e);
      }
    }
    assertThat(decodedByChance).as("seed %d", seed).isLessThan(200);
  }

  @Test
  void absurdLengthFieldsAreRejectedBeforeAllocating() {
    // AppendEntries claiming 2^31-1 entries in a few bytes.
    byte[] hugeCount = HexFormat.of().parseHex("0301" + "000161" + "00".repeat(32) + "7fffffff");
    assertThatThrownBy(() -> codec.decode(hugeCount)).isInstanceOf(CodecException.class)
        .hasMessageContaining("entry count");
    // InstallSnapshot with a 2 GiB configuration array.
    byte[] hugeBytes = HexFormat.of().parseHex("0308" + "000161" + "00".repeat(24) + "7fffffff");
    assertThatThrownBy(() -> codec.decode(hugeBytes)).isInstanceOf(CodecException.class)
        .hasMessageContaining("truncated");
    byte[] negative = HexFormat.of().parseHex("0308" + "000161" + "00".repeat(24) + "ffffffff");
    assertThatThrownBy(() -> codec.decode(negative)).isInstanceOf(CodecException.class);
  }

  @Test
  void invalidValuesAreCodecExceptions() {
    byte[] hb = codec.encode(new Heartbeat(a, 1, 2, 3));
    assertInvalid(with(hb, 0, MessageCodec.PROTOCOL_VERSION + 1), "unsupported protocol version");
    assertInvalid(with(hb, 1, 99), "unknown message type");
    assertInvalid(java.util.Arrays.copyOf(hb, hb.length + 1), "trailing");
    byte[] vote = codec.encode(new RequestVoteResponse(a, 1, true, false));
    assertInvalid(with(vote, vote.length - 1, 2), "bad boolean");
    byte[] ae = codec.encode(new AppendEntries(a, 1, 0, 0,
        List.of(new LogEntry(1, 1, EntryType.NOOP, new byte[0])), 0));
    assertInvalid(with(ae, ae.length - 5, 9), "entry type");
    assertInvalid(with(ae, ae.length - 14, 0), "term and index");
    assertInvalid(with(hb, 4, 0x20), "invalid member id");
    assertInvalid(with(hb, 4, 0xFF), "malformed UTF-8");
    byte[] hs = codec.encode(new WireMessage.Handshake(1, "c", a));
    assertInvalid(with(hs, 2, 0), "magic");
  }

  /** Value equality; InstallSnapshot holds arrays, which record equals compares by identity. */
  public static boolean sameMessage(RaftMessage x, RaftMessage y) {
    if (x instanceof InstallSnapshot s && y instanceof InstallSnapshot t) {
      return s.from().equals(t.from()) && s.term() == t.term()
          && s.lastIncludedIndex() == t.lastIncludedIndex()
          && s.lastIncludedTerm() == t.lastIncludedTerm()
          && java.util.Arrays.equals(s.configuration(), t.configuration())
          && s.offset() == t.offset() && java.util.Arrays.equals(s.data(), t.data())
          && s.crc32c() == t.crc32c() && s.done() == t.done();
    }
    return x.equals(y);
  }

  private void assertInvalid(byte[] input, String reason) {
    assertThatThrownBy(() -> codec.decode(input)).isInstanceOf(CodecException.class)
        .hasMessageContaining(reason);
  }

  private static byte[] with(byte[] original, int offset, int value) {
    byte[] copy = original.clone();
    copy[offset] = (byte) value;
    return copy;
  }
}
