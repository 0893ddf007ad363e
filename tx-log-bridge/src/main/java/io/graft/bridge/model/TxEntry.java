package io.graft.bridge.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * A Neo4j transaction as the leader's kernel prepared it: the serialized {@link
 * org.neo4j.storageengine.api.StorageCommand}s plus the command-batch metadata needed to rebuild an
 * identical {@code CompleteCommandBatch} on every member.
 *
 * @param originMember member id of the leader that captured the transaction
 * @param proposalId unique per origin process; lets the origin find the waiting committer
 * @param leaseId the lease under which the transaction was prepared; applied only if current
 * @param kernelVersion Neo4j {@code KernelVersion.version()}; selects the command reader
 * @param subjectUsername the user that committed, or null for an internal subject
 * @param commandCount number of commands in {@code commands}
 * @param commands the commands, each written with {@code StorageCommand.serialize}
 */
public record TxEntry(
    String originMember,
    long proposalId,
    int leaseId,
    byte kernelVersion,
    long timeStarted,
    long latestCommittedTxWhenStarted,
    long timeCommitted,
    String subjectUsername,
    int commandCount,
    byte[] commands)
    implements ReplicatedEntry {

  public TxEntry {
    Objects.requireNonNull(originMember, "originMember");
    Objects.requireNonNull(commands, "commands");
    if (commandCount < 0) {
      throw new IllegalArgumentException("negative command count " + commandCount);
    }
  }

  @Override
  public <R> R accept(Visitor<R> visitor) throws Exception {
    return visitor.visitTx(this);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof TxEntry other)) {
      return false;
    }
    return proposalId == other.proposalId
        && leaseId == other.leaseId
        && kernelVersion == other.kernelVersion
        && timeStarted == other.timeStarted
        && latestCommittedTxWhenStarted == other.latestCommittedTxWhenStarted
        && timeCommitted == other.timeCommitted
        && commandCount == other.commandCount
        && originMember.equals(other.originMember)
        && Objects.equals(subjectUsername, other.subjectUsername)
        && Arrays.equals(commands, other.commands);
  }

  @Override
  public int hashCode() {
    return Objects.hash(originMember, proposalId, leaseId, Arrays.hashCode(commands));
  }

  @Override
  public String toString() {
    return "TxEntry{origin="
        + originMember
        + ", proposal="
        + proposalId
        + ", lease="
        + leaseId
        + ", kernelVersion="
        + kernelVersion
        + ", commands="
        + commandCount
        + ", bytes="
        + commands.length
        + "}";
  }
}
