package io.graft.raft.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.MemberId;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The cluster epoch (forceNewCluster) travels as the last optional part of the handshake
 * trailer, after the incarnation: absent (epoch 0) the bytes are exactly those of a handshake
 * without epochs, so founding-epoch members and fresh members look as before.
 */
class HandshakeEpochCodecTest {
  private final MessageCodec codec = new MessageCodec();
  private final MemberId a = MemberId.of("a");
  private final UUID inc = new UUID(0x0123456789abcdefL, -2L);

  @Test
  void theEpochRoundTripsAfterTheIncarnationBothWays() {
    var hs = new WireMessage.Handshake(2, "c1", a, "", inc, 0x1122334455667788L);
    assertThat(codec.decode(codec.encode(hs))).isEqualTo(hs);
    assertThat(HexFormat.of().formatHex(codec.encode(hs))).isEqualTo("0240" + "47524654"
        + "00026331" + "000161" + "0000" + "0123456789abcdef" + "fffffffffffffffe"
        + "1122334455667788");
    var reply = new WireMessage.HandshakeReply(2, true, a, "", "bolt", inc, -5L);
    assertThat(codec.decode(codec.encode(reply))).isEqualTo(reply);
    // No epoch: byte-identical to the handshake without one.
    assertThat(codec.encode(new WireMessage.Handshake(2, "c1", a, "", inc, 0)))
        .isEqualTo(codec.encode(new WireMessage.Handshake(2, "c1", a, "", inc)));
  }

  @Test
  void hostileEpochBytesFailCleanly() {
    byte[] hs = codec.encode(new WireMessage.Handshake(2, "c", a, "", inc, 7));
    for (int len = hs.length - 7; len < hs.length; len++) {
      byte[] torn = Arrays.copyOf(hs, len);
      assertThatThrownBy(() -> codec.decode(torn)).isInstanceOf(CodecException.class);
    }
    byte[] zero = hs.clone();
    Arrays.fill(zero, hs.length - 8, hs.length, (byte) 0);
    assertThatThrownBy(() -> codec.decode(zero)).hasMessageContaining("epoch 0 is invalid");
    byte[] longer = Arrays.copyOf(hs, hs.length + 1);
    assertThatThrownBy(() -> codec.decode(longer)).hasMessageContaining("trailing");
    assertThatThrownBy(() -> new WireMessage.Handshake(2, "c", a, "", WireMessage.NO_INCARNATION,
        7)).hasMessageContaining("needs an incarnation");
  }
}
