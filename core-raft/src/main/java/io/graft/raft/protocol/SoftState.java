package io.graft.raft.protocol;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Role;

/** Volatile state the runtime publishes (role and known leader); never persisted. */
public record SoftState(Role role, long term, MemberId leader) {}
