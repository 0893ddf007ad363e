package io.graft.bridge.apply;

import io.graft.bridge.model.TxEntry;
import java.util.List;
import org.neo4j.storageengine.api.StorageCommand;

/**
 * One transaction entry to apply at its Raft index.
 *
 * @param ownCommands the commands the kernel of THIS member built for it, when this member
 *     proposed it and its committer still waits (the leader fast path: applied from these, the
 *     entry's bytes are not read back); null otherwise (every follower, a replay, a committer that
 *     gave up): the commands are read from {@code entry.commands()}
 */
public record ChainLink(TxEntry entry, long raftIndex, List<StorageCommand> ownCommands) {}
