package io.graft.bridge.model;

/** An entry that changes nothing; lets a member advance its applied index (e.g. tests, probes). */
public record NoOpEntry() implements ReplicatedEntry {
  @Override
  public <R> R accept(Visitor<R> visitor) throws Exception {
    return visitor.visitNoOp(this);
  }
}
