package io.graft.raft.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/** Prefixes each payload with its length and CRC32C ({@link FrameFormat}); stateless, shared. */
@ChannelHandler.Sharable
final class FrameEncoder extends MessageToMessageEncoder<OutboundFrame> {
  static final FrameEncoder INSTANCE = new FrameEncoder();

  private FrameEncoder() {
    super(OutboundFrame.class);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, OutboundFrame frame, List<Object> out) {
    byte[] payload = frame.payload();
    ByteBuf buf = ctx.alloc().ioBuffer(FrameFormat.HEADER_BYTES + payload.length);
    buf.writeInt(payload.length);
    buf.writeInt(FrameFormat.crc32c(payload));
    buf.writeBytes(payload);
    out.add(buf);
  }
}
