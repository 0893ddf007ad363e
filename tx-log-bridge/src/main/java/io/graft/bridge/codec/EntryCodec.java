package io.graft.bridge.codec;

import io.graft.bridge.model.LeaseEntry;
import io.graft.bridge.model.NoOpEntry;
import io.graft.bridge.model.ReplicatedEntry;
import io.graft.bridge.model.TxEntry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Encodes {@link ReplicatedEntry}s as Raft payloads: {@code [version byte][type code][fields]}.
 * Type codes are explicit and pinned by a test, never derived from declaration order (docs/STYLE.md
 * §15), because the bytes live in the durable Raft log across upgrades.
 */
public final class EntryCodec {
  public static final byte TYPE_TX = 1;
  public static final byte TYPE_LEASE = 2;
  public static final byte TYPE_NOOP = 3;

  private EntryCodec() {}

  public static byte[] encode(ReplicatedEntry entry) {
    try {
      int sizeHint = entry instanceof TxEntry tx ? tx.commands().length + 128 : 64;
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(sizeHint);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(CodecVersion.CURRENT);
      if (entry instanceof TxEntry tx) {
        out.writeByte(TYPE_TX);
        writeTx(out, tx);
      } else if (entry instanceof LeaseEntry lease) {
        out.writeByte(TYPE_LEASE);
        out.writeInt(lease.leaseId());
        out.writeUTF(lease.owner());
      } else {
        out.writeByte(TYPE_NOOP);
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ReplicatedEntry decode(byte[] payload) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
      byte version = in.readByte();
      if (version != CodecVersion.CURRENT) {
        throw new IllegalArgumentException(
            "unsupported entry codec version " + version + " (this build reads " + CodecVersion.CURRENT
                + "): all members must run the same graft version");
      }
      byte type = in.readByte();
      switch (type) {
        case TYPE_TX:
          return readTx(in);
        case TYPE_LEASE:
          return new LeaseEntry(in.readInt(), in.readUTF());
        case TYPE_NOOP:
          return new NoOpEntry();
        default:
          throw new IllegalArgumentException("unknown entry type code " + type);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated or corrupt entry payload", e);
    }
  }

  private static void writeTx(DataOutputStream out, TxEntry tx) throws IOException {
    out.writeUTF(tx.originMember());
    out.writeLong(tx.proposalId());
    out.writeInt(tx.leaseId());
    out.writeByte(tx.kernelVersion());
    out.writeLong(tx.timeStarted());
    out.writeLong(tx.latestCommittedTxWhenStarted());
    out.writeLong(tx.timeCommitted());
    out.writeBoolean(tx.subjectUsername() != null);
    if (tx.subjectUsername() != null) {
      out.writeUTF(tx.subjectUsername());
    }
    out.writeInt(tx.commandCount());
    out.writeInt(tx.commands().length);
    out.write(tx.commands());
  }

  private static TxEntry readTx(DataInputStream in) throws IOException {
    String origin = in.readUTF();
    long proposalId = in.readLong();
    int leaseId = in.readInt();
    byte kernelVersion = in.readByte();
    long timeStarted = in.readLong();
    long latestCommitted = in.readLong();
    long timeCommitted = in.readLong();
    String subject = in.readBoolean() ? in.readUTF() : null;
    int commandCount = in.readInt();
    byte[] commands = new byte[in.readInt()];
    in.readFully(commands);
    return new TxEntry(
        origin, proposalId, leaseId, kernelVersion, timeStarted, latestCommitted, timeCommitted,
        subject, commandCount, commands);
  }
}
