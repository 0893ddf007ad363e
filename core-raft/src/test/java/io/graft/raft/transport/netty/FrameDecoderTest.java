package io.graft.raft.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.MemberId;
import io.graft.raft.message.TimeoutNow;
import io.graft.raft.transport.CodecException;
import io.graft.raft.transport.MessageCodec;
import io.graft.raft.transport.WireMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Framing on an {@link EmbeddedChannel} (no threads): frames split at every byte boundary and
 * coalesced in one read decode identically; the encoder's output is what the decoder expects; a bad
 * length is refused on the header alone and every later byte is discarded.
 */
class FrameDecoderTest {
  private final MessageCodec codec = new MessageCodec();
  private final MemberId a = MemberId.of("a");

  @Test
  void encoderOutputDecodesEvenWhenDeliveredByteByByte() {
    EmbeddedChannel encoder = new EmbeddedChannel(FrameEncoder.INSTANCE);
    encoder.writeOutbound(new OutboundFrame(codec.encode(new TimeoutNow(a, 1))));
    encoder.writeOutbound(new OutboundFrame(codec.encode(new TimeoutNow(a, 2))));
    ByteBuf first = encoder.readOutbound();
    ByteBuf second = encoder.readOutbound();
    ByteBuf both = Unpooled.wrappedBuffer(first, second);

    EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(1024, codec));
    while (both.isReadable()) {
      decoder.writeInbound(both.readRetainedSlice(1));
    }
    both.release();
    assertThat(decoder.<Object>readInbound()).isEqualTo(raft(1));
    assertThat(decoder.<Object>readInbound()).isEqualTo(raft(2));
    assertThat(decoder.<Object>readInbound()).isNull();
  }

  @Test
  void framesCoalescedInOneBufferAllDecode() {
    byte[] one = FrameFormat.frame(codec.encode(new TimeoutNow(a, 1)));
    byte[] two = FrameFormat.frame(codec.encode(new TimeoutNow(a, 2)));
    EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(1024, codec));
    decoder.writeInbound(Unpooled.wrappedBuffer(one, two));
    assertThat(decoder.<Object>readInbound()).isEqualTo(raft(1));
    assertThat(decoder.<Object>readInbound()).isEqualTo(raft(2));
  }

  @Test
  void oversizedLengthFailsOnTheHeaderAndLaterBytesAreDiscarded() {
    EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(1024, codec));
    // 2 GiB announced: must fail without waiting for (or allocating) the payload.
    assertThatThrownBy(() -> decoder.writeInbound(
        Unpooled.wrappedBuffer(HexFormat.of().parseHex("80000000" + "00000000"))))
        .isInstanceOf(DecoderException.class).hasCauseInstanceOf(CodecException.class)
        .hasMessageContaining("frame length 2147483648 outside");
    decoder.writeInbound(Unpooled.wrappedBuffer(
        FrameFormat.frame(codec.encode(new TimeoutNow(a, 1)))));
    assertThat(decoder.<Object>readInbound()).isNull();
  }

  private WireMessage raft(long term) {
    return new WireMessage.Raft(new TimeoutNow(a, term));
  }

  @Test
  void tooShortLengthIsRefused() {
    EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(1024, codec));
    assertThatThrownBy(() -> decoder.writeInbound(
        Unpooled.wrappedBuffer(HexFormat.of().parseHex("00000001" + "00000000" + "01"))))
        .hasMessageContaining("frame length 1 outside");
  }
}
