package io.graft.raft.message;

/** Kinds of log entries. The codes are the wire and disk format: never reorder, never reuse. */
public enum EntryType {
  /** An application payload, handed to the StateMachine. */
  APPLICATION(1),
  /** The empty entry a new leader appends in its term (thesis §3.6.2, Figure 8). */
  NOOP(2),
  /** A membership configuration (payload encoded by the protocol's configuration codec). */
  CONFIGURATION(3);

  private final int code;

  EntryType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static EntryType ofCode(int code) {
    for (EntryType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown entry type code " + code);
  }
}
