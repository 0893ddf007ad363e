package io.graft.raft.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.MemberId;
import io.graft.raft.message.AppendEntries;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.LogEntry;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.message.TimeoutNow;
import io.graft.raft.transport.MessageCodec;
import io.graft.raft.transport.WireMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A 40 MB entry (a 200,000-node transaction) in one AppendEntries between two real transports
 * whose frame limit follows the entry size ({@link NettyTransportConfig#frameBytesFor}), and the
 * decoder's streaming of large frames: delivered in small pieces it never holds more than a piece
 * in its cumulation buffer.
 */
class LargeFrameTest {
  private static final int BIG = 40 * 1024 * 1024;
  private final MessageCodec codec = new MessageCodec();

  private static LogEntry bigEntry(long index, int bytes) {
    byte[] payload = new byte[bytes];
    new SplittableRandom(index).nextBytes(payload);
    return new LogEntry(2, index, EntryType.APPLICATION, payload);
  }

  @Test
  void fortyMegabyteEntryCrossesTwoTransportsSizedForIt() throws Exception {
    int frame = NettyTransportConfig.frameBytesFor(48L << 20);
    try (LoopbackNode a = LoopbackNode.start("a", 0, c -> c.withMaxFrameBytes(frame));
        LoopbackNode b = LoopbackNode.start("b", 0, c -> c.withMaxFrameBytes(frame))) {
      Map<MemberId, String> book = Map.of(a.id, a.address(), b.id, b.address());
      a.transport.setPeers(book);
      b.transport.setPeers(book);
      AppendEntries big =
          new AppendEntries(a.id, 2, 0, 0, List.of(bigEntry(1, BIG), bigEntry(2, 100)), 0);
      a.transport.send(b.id, big);
      a.transport.send(b.id, new TimeoutNow(a.id, 2));
      RaftMessage received = b.receive();
      assertThat(received).isEqualTo(big);
      assertThat(b.receive()).isEqualTo(new TimeoutNow(a.id, 2));
      assertThat(a.transport.stats().outboundDropped()).isZero();
      assertThat(b.transport.stats().badFrames()).isZero();
    }
  }

  @Test
  void largeFrameStreamsIntoItsPayloadPieceByPiece() {
    AppendEntries big = new AppendEntries(MemberId.of("a"), 2, 0, 0,
        List.of(bigEntry(1, 3 * 1024 * 1024 + 5)), 0);
    byte[] wire = FrameFormat.frame(codec.encode(big));
    EmbeddedChannel decoder = new EmbeddedChannel(
        new FrameDecoder(NettyTransportConfig.frameBytesFor(4L << 20), codec));
    int piece = 8 * 1024;
    for (int at = 0; at < wire.length; at += piece) {
      assertThat(decoder.<Object>readInbound()).isNull();
      decoder.writeInbound(Unpooled.wrappedBuffer(wire, at, Math.min(piece, wire.length - at)));
    }
    assertThat(decoder.<Object>readInbound()).isEqualTo(new WireMessage.Raft(big));
    assertThat(decoder.finish()).isFalse();
  }

  @Test
  void corruptLargeFrameIsRefusedAfterItsLastByte() {
    AppendEntries big = new AppendEntries(MemberId.of("a"), 2, 0, 0,
        List.of(bigEntry(1, 1024 * 1024)), 0);
    byte[] wire = FrameFormat.frame(codec.encode(big));
    wire[wire.length - 1] ^= 1;
    EmbeddedChannel decoder = new EmbeddedChannel(
        new FrameDecoder(NettyTransportConfig.frameBytesFor(2L << 20), codec));
    ByteBuf head = Unpooled.wrappedBuffer(wire, 0, wire.length - 1);
    decoder.writeInbound(head);
    assertThat(decoder.<Object>readInbound()).isNull();
    assertThatThrownBy(() -> decoder.writeInbound(Unpooled.wrappedBuffer(wire, wire.length - 1, 1)))
        .hasMessageContaining("checksum");
  }

  @Test
  void frameSizeFollowsTheEntryLimitUpToOneGibibyte() {
    int headroom = NettyTransportConfig.FRAME_HEADROOM_BYTES;
    assertThat(NettyTransportConfig.frameBytesFor((1L << 30) + headroom))
        .isEqualTo(NettyTransportConfig.MAX_FRAME_BYTES_LIMIT);
    assertThat(NettyTransportConfig.frameBytesFor(128L << 20)).isEqualTo((128 << 20) + headroom);
    assertThatThrownBy(() -> NettyTransportConfig.frameBytesFor((1L << 30) + headroom + 1))
        .isInstanceOf(IllegalArgumentException.class);
    NettyTransportConfig over = NettyTransportConfig.defaults("127.0.0.1:0", "c", MemberId.of("a"))
        .withMaxFrameBytes(NettyTransportConfig.MAX_FRAME_BYTES_LIMIT + 1);
    assertThatThrownBy(over::validate).hasMessageContaining("maxFrameBytes");
    NettyTransportConfig max = NettyTransportConfig.defaults("127.0.0.1:0", "c", MemberId.of("a"))
        .withMaxFrameBytes(NettyTransportConfig.MAX_FRAME_BYTES_LIMIT);
    assertThat(max.validate()).isSameAs(max);
  }
}
