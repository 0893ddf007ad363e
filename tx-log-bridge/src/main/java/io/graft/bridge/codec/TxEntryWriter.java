package io.graft.bridge.codec;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.neo4j.storageengine.api.StorageCommand;

/**
 * Encodes a transaction entry in ONE pass: the header, then the kernel's commands serialized
 * straight into the payload, with their byte count patched in afterwards. The bytes are exactly
 * those of {@link EntryCodec#encode} of the equivalent {@code TxEntry} (pinned by a test), without
 * first serializing the commands into an array of their own and copying it into the entry.
 */
public final class TxEntryWriter {
  private TxEntryWriter() {}

  /** Header fields of a transaction entry; see {@code TxEntry} for their meaning. */
  public record Header(String originMember, long proposalId, int leaseId, byte kernelVersion,
      long timeStarted, long latestCommittedTxWhenStarted, long timeCommitted,
      String subjectUsername, int commandCount) {}

  /**
   * @param maxBytes refuse (EntryTooLargeException) as soon as the commands exceed this
   */
  public static byte[] encode(Header h, Iterable<StorageCommand> commands, long maxBytes,
      String limitName) throws IOException, EntryTooLargeException {
    Buffer bytes = new Buffer();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte(CodecVersion.CURRENT);
    out.writeByte(EntryCodec.TYPE_TX);
    out.writeUTF(h.originMember());
    out.writeLong(h.proposalId());
    out.writeInt(h.leaseId());
    out.writeByte(h.kernelVersion());
    out.writeLong(h.timeStarted());
    out.writeLong(h.latestCommittedTxWhenStarted());
    out.writeLong(h.timeCommitted());
    out.writeBoolean(h.subjectUsername() != null);
    if (h.subjectUsername() != null) {
      out.writeUTF(h.subjectUsername());
    }
    out.writeInt(h.commandCount());
    out.flush();
    int lengthAt = bytes.size();
    out.writeInt(0); // the commands' byte count, patched below
    out.flush();
    long written = CommandCodec.write(commands, bytes, maxBytes, limitName);
    bytes.patchInt(lengthAt, (int) written);
    return bytes.toByteArray();
  }

  /** A byte array output stream whose already written bytes can be patched. */
  private static final class Buffer extends ByteArrayOutputStream {
    Buffer() {
      super(512);
    }

    void patchInt(int at, int value) {
      buf[at] = (byte) (value >>> 24);
      buf[at + 1] = (byte) (value >>> 16);
      buf[at + 2] = (byte) (value >>> 8);
      buf[at + 3] = (byte) value;
    }
  }
}
