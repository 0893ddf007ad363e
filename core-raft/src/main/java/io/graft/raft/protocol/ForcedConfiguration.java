package io.graft.raft.protocol;

import io.graft.raft.protocol.membership.Configuration;

/**
 * What {@link RaftMachine#forceNewCluster} did: the member left {@code previous} and appended
 * {@code next} (itself as the only voter, a new epoch) at {@code configIndex} in {@code term}, as
 * the leader of that term. Entries up to {@code commitIndex} were known committed; those after it,
 * up to {@code lastIndex}, were not known to be committed when the lost majority went away: they
 * are kept and now commit under the new configuration. Writes the lost members committed beyond
 * {@code lastIndex} never reached this member and are lost.
 */
public record ForcedConfiguration(
    Configuration previous,
    Configuration next,
    long term,
    long commitIndex,
    long lastIndex,
    long configIndex) {}
