package io.graft.bridge.codec;

/** The serialized commands exceed the configured maximum entry size; nothing was proposed. */
public class EntryTooLargeException extends Exception {
  public EntryTooLargeException(String message) {
    super(message);
  }
}
