package io.graft.bridge.codec;

import io.graft.bridge.model.LeaseEntry;
import io.graft.bridge.model.NoOpEntry;
import io.graft.bridge.model.ReplicatedEntry;
import io.graft.bridge.model.TxEntry;
import io.graft.bridge.model.UserRecord;
import io.graft.bridge.model.UsersEntry;
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
  public static final byte TYPE_USERS = 4;

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
      } else if (entry instanceof UsersEntry users) {
        out.writeByte(TYPE_USERS);
        writeUsers(out, users);
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
        case TYPE_USERS:
          return readUsers(in);
        default:
          throw new IllegalArgumentException("unknown entry type code " + type);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated or corrupt entry payload", e);
    }
  }

  private static void writeUsers(DataOutputStream out, UsersEntry users) throws IOException {
    out.writeInt(users.changes().size());
    for (UserRecord u : users.changes()) {
      writeUser(out, u);
    }
  }

  private static UsersEntry readUsers(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 1 || n > 100_000) {
      throw new IOException("users entry with " + n + " changes");
    }
    java.util.List<UserRecord> changes = new java.util.ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      changes.add(readUser(in));
    }
    return new UsersEntry(changes);
  }

  /** {@code [name][flags: 1 dropped, 2 change required, 4 suspended][credentials unless dropped]} */
  public static void writeUser(DataOutputStream out, UserRecord u) throws IOException {
    out.writeUTF(u.name());
    out.writeByte((u.dropped() ? 1 : 0) | (u.passwordChangeRequired() ? 2 : 0)
        | (u.suspended() ? 4 : 0));
    if (!u.dropped()) {
      out.writeUTF(u.credentials());
    }
  }

  public static UserRecord readUser(DataInputStream in) throws IOException {
    String name = in.readUTF();
    int flags = in.readByte();
    if ((flags & 1) != 0) {
      return UserRecord.drop(name);
    }
    return new UserRecord(name, in.readUTF(), (flags & 2) != 0, (flags & 4) != 0);
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
