package io.graft.raft.transport.netty;

/** An encoded frame payload (version, type, body) waiting for {@link FrameEncoder}'s header. */
record OutboundFrame(byte[] payload) {}
