package io.graft.bridge.apply;

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
import java.util.OptionalLong;
import java.util.zip.CRC32C;

/**
 * The durable lease state with the Raft index of the entry that produced it. Lease entries leave no
 * trace in Neo4j's transaction log, so without this file a restarted member would re-apply them
 * against a fresh lease counter and diverge (the 3.x DurableStateStorage idea;
 * docs/NEO4J-INTERNALS.md §8.1 item 5). Written atomically: temp file, fsync, rename, fsync the
 * directory. A CRC32C guards against a torn file.
 */
public final class LeaseState {
  private static final int MAGIC = 0x47524C53; // "GRLS"
  private static final String FILE = "lease-state";
  /** Present from the start of a snapshot install until it completed (the store is replaced). */
  static final String INSTALL_MARKER = "snapshot-install-pending";

  private final Path directory;
  private volatile Snapshot current;

  /** @param leaseId 0 = no lease yet; @param owner null when none */
  public record Snapshot(int leaseId, String owner, long raftIndex) {}

  private LeaseState(Path directory, Snapshot current) {
    this.directory = directory;
    this.current = current;
  }

  public static LeaseState open(Path directory) throws IOException {
    Files.createDirectories(directory);
    Path file = directory.resolve(FILE);
    if (!Files.exists(file)) {
      return new LeaseState(directory, new Snapshot(0, null, 0));
    }
    return new LeaseState(directory, read(file));
  }

  public Snapshot current() {
    return current;
  }

  /**
   * Durably notes that a snapshot install at {@code index} begins: until {@link
   * #clearInstallPending}, the store may be half replaced and this lease file no longer matches
   * it, so a member that restarts in between must not trust either.
   */
  public void markInstallPending(long index) throws IOException {
    Path marker = directory.resolve(INSTALL_MARKER);
    try (FileChannel ch = FileChannel.open(marker, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(Long.toString(index).getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
    fsyncDirectory();
  }

  /** The index of an install that began and did not complete, if any. */
  public OptionalLong installPending() throws IOException {
    Path marker = directory.resolve(INSTALL_MARKER);
    if (!Files.exists(marker)) {
      return OptionalLong.empty();
    }
    String text = Files.readString(marker).trim();
    return OptionalLong.of(text.isEmpty() ? -1 : Long.parseLong(text));
  }

  /**
   * A snapshot install that began and did not complete may have left a half-replaced store and a
   * lease file that no longer matches it; applying on top could diverge, so the member refuses to
   * start (docs/STYLE.md principle 7: stop rather than diverge) and says how to recover.
   */
  public void refuseAfterInterruptedInstall() {
    OptionalLong pending;
    try {
      pending = installPending();
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("graft: cannot read the snapshot-install marker in "
          + directory(), e);
    }
    if (pending.isPresent()) {
      throw new IllegalStateException("graft: a snapshot install at index "
          + pending.getAsLong() + " was interrupted; this member's store may be half replaced."
          + " To rejoin, stop the server, move away data/databases/<db> and"
          + " data/transactions/<db>, delete " + directory().resolve("lease-state")
          + " and " + directory().resolve(LeaseState.INSTALL_MARKER)
          + ", and start it: it creates a new store and catches up from the leader again");
    }
  }

  public void clearInstallPending() throws IOException {
    Files.deleteIfExists(directory.resolve(INSTALL_MARKER));
    fsyncDirectory();
  }

  public Path directory() {
    return directory;
  }

  public void write(int leaseId, String owner, long raftIndex) throws IOException {
    byte[] body = encode(leaseId, owner, raftIndex);
    Path tmp = directory.resolve(FILE + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(body));
      ch.force(true);
    }
    Files.move(tmp, directory.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
    fsyncDirectory();
    current = new Snapshot(leaseId, owner, raftIndex);
  }

  private void fsyncDirectory() {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException ignored) {
      // Some file systems refuse to open a directory; the rename is still atomic there.
    }
  }

  private static byte[] encode(int leaseId, String owner, long raftIndex) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(MAGIC);
    out.writeInt(leaseId);
    out.writeUTF(owner == null ? "" : owner);
    out.writeLong(raftIndex);
    CRC32C crc = new CRC32C();
    crc.update(bytes.toByteArray());
    out.writeInt((int) crc.getValue());
    out.flush();
    return bytes.toByteArray();
  }

  private static Snapshot read(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    if (all.length < 8) {
      throw new IOException("lease state file " + file + " is truncated");
    }
    CRC32C crc = new CRC32C();
    crc.update(all, 0, all.length - 4);
    int stored = ByteBuffer.wrap(all, all.length - 4, 4).getInt();
    if ((int) crc.getValue() != stored) {
      throw new IOException("lease state file " + file + " is corrupt (checksum mismatch)");
    }
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(all));
    if (in.readInt() != MAGIC) {
      throw new IOException("lease state file " + file + " has a bad magic number");
    }
    int leaseId = in.readInt();
    String owner = in.readUTF();
    long index = in.readLong();
    return new Snapshot(leaseId, owner.isEmpty() ? null : owner, index);
  }
}
