package io.graft.raft.transport;

import io.graft.raft.api.MemberId;
import io.graft.raft.storage.FileSync;
import io.graft.raft.storage.StorageException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * What this member remembers about its peers' identities: member id (the advertised address) to
 * the incarnation (random id of the peer's Raft state) it first presented. A member whose Raft
 * state was wiped comes back with a new incarnation and an empty term/vote, so it could vote a
 * second time in a term it already voted in (Raft §5.2 requires at most one vote per term, kept on
 * stable storage, Figure 2): such a member is refused until a committed configuration removed it
 * ({@link #retainOnly}), after which it may be added back as a new member (thesis §4.1).
 *
 * <p>Durable when opened on a file: a new record is written to a temporary file, fsynced and
 * renamed over the old one (then the directory is fsynced) before {@link #admit} returns, so a
 * connection is never used on a record that a crash could lose. Records change rarely (first
 * contact with a peer, removals), so the whole file is rewritten each time. Thread-safe.
 */
public final class PeerIdentities {
  static final String FILE_NAME = "peer-incarnations";
  private static final int MAGIC = 0x47525049; // "GRPI"
  private static final int VERSION = 1;
  private static final int RECORDS_MAX = 100_000;

  private final Path file;
  private final Map<MemberId, UUID> known;

  private PeerIdentities(Path file, Map<MemberId, UUID> known) {
    this.file = file;
    this.known = known;
  }

  /** Records kept only in memory (tests, or a member without a data directory). */
  public static PeerIdentities inMemory() {
    return new PeerIdentities(null, new LinkedHashMap<>());
  }

  /** Opens (or starts empty) {@code dir/peer-incarnations}; a corrupt file refuses startup. */
  public static PeerIdentities open(Path dir) {
    Path file = dir.resolve(FILE_NAME);
    FileSync.createDirectories(dir);
    if (!Files.exists(file)) {
      return new PeerIdentities(file, new LinkedHashMap<>());
    }
    try {
      return new PeerIdentities(file, decode(Files.readAllBytes(file)));
    } catch (IOException e) {
      throw new StorageException("cannot read " + file + ": " + e, e);
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new StorageException(file + " is corrupt (" + e.getMessage() + "). It only holds the"
          + " incarnations of peers; deleting it makes this member accept every peer's current"
          + " identity once more.", e);
    }
  }

  /**
   * Decides whether {@code member} presenting {@code incarnation} may be talked to: yes if it is
   * unknown (then recorded durably before this returns) or known with the same incarnation.
   *
   * @return null when admitted, else the incarnation this member knew it under
   */
  public synchronized UUID admit(MemberId member, UUID incarnation) {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(incarnation, "incarnation");
    UUID before = known.get(member);
    if (before == null) {
      known.put(member, incarnation);
      try {
        persist();
      } catch (RuntimeException e) {
        known.remove(member);
        throw e;
      }
      return null;
    }
    return before.equals(incarnation) ? null : before;
  }

  /** The incarnation recorded for {@code member}, or null. */
  public synchronized UUID known(MemberId member) {
    return known.get(member);
  }

  /** A copy of every record. */
  public synchronized Map<MemberId, UUID> records() {
    return Map.copyOf(known);
  }

  /**
   * Forgets every member outside {@code members} (a committed configuration): a removed member
   * may then come back with fresh state and be recorded anew. Returns the members forgotten.
   */
  public synchronized Set<MemberId> retainOnly(Set<MemberId> members) {
    Map<MemberId, UUID> gone = new LinkedHashMap<>(known);
    gone.keySet().removeAll(members);
    if (gone.isEmpty()) {
      return Set.of();
    }
    known.keySet().removeAll(gone.keySet());
    try {
      persist();
    } catch (RuntimeException e) {
      known.putAll(gone);
      throw e;
    }
    return Set.copyOf(gone.keySet());
  }

  private void persist() {
    if (file == null) {
      return;
    }
    Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(encode(known));
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    } catch (IOException e) {
      throw new StorageException("cannot write " + tmp + ": " + e, e);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new StorageException("cannot rename " + tmp + " to " + file + ": " + e, e);
    }
    FileSync.forceDirectory(file.getParent());
  }

  /** {@code magic u32 | version u16 | count u32 | (member u16+UTF-8 | msb u64 | lsb u64)* | crc}. */
  static byte[] encode(Map<MemberId, UUID> records) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeShort(VERSION);
      out.writeInt(records.size());
      for (Map.Entry<MemberId, UUID> e : records.entrySet()) {
        byte[] id = e.getKey().value().getBytes(StandardCharsets.UTF_8);
        out.writeShort(id.length);
        out.write(id);
        out.writeLong(e.getValue().getMostSignificantBits());
        out.writeLong(e.getValue().getLeastSignificantBits());
      }
      out.writeInt(crc(bytes.toByteArray()));
    } catch (IOException e) {
      throw new IllegalStateException("in-memory write failed", e);
    }
    return bytes.toByteArray();
  }

  static Map<MemberId, UUID> decode(byte[] bytes) throws IOException {
    if (bytes.length < 14) {
      throw new IllegalArgumentException("file of " + bytes.length + " bytes is too short");
    }
    byte[] body = java.util.Arrays.copyOf(bytes, bytes.length - 4);
    int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
    if (crc(body) != stored) {
      throw new IllegalArgumentException("checksum mismatch");
    }
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body));
    if (in.readInt() != MAGIC || in.readUnsignedShort() != VERSION) {
      throw new IllegalArgumentException("bad magic or version");
    }
    int count = in.readInt();
    if (count < 0 || count > RECORDS_MAX) {
      throw new IllegalArgumentException("impossible record count " + count);
    }
    Map<MemberId, UUID> out = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      byte[] id = new byte[in.readUnsignedShort()];
      in.readFully(id);
      out.put(MemberId.of(new String(id, StandardCharsets.UTF_8)),
          new UUID(in.readLong(), in.readLong()));
    }
    if (in.available() != 0) {
      throw new IllegalArgumentException("trailing bytes");
    }
    return out;
  }

  private static int crc(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return (int) crc.getValue();
  }
}
