package io.graft.raft.transport;

/**
 * Bytes that do not decode to a valid wire message: truncated, oversized, unknown code, bad
 * checksum, trailing garbage. The transport treats it as a fault of the remote end and closes that
 * one connection; it never reaches the Raft machine.
 */
public final class CodecException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CodecException(String message) {
    super(message);
  }

  public CodecException(String message, Throwable cause) {
    super(message, cause);
  }
}
