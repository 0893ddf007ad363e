package io.graft.bridge.codec;

/**
 * Wire-format version of {@link EntryCodec}; bump on any incompatible change (docs/STYLE.md §3.15).
 */
public final class CodecVersion {
  public static final byte CURRENT = 1;

  private CodecVersion() {}
}
