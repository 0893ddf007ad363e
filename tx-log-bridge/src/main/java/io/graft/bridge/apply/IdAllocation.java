package io.graft.bridge.apply;

/** Turns id allocation on (leader with a lease) or off ({@link IdAllocationSwitch}). */
public interface IdAllocation {
  void set(boolean allocationEnabled);
}
