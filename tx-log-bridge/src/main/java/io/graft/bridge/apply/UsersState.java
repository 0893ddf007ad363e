package io.graft.bridge.apply;

import io.graft.bridge.codec.EntryCodec;
import io.graft.bridge.model.UserRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The cluster's user table: the replicated state of every user a users entry has named (its
 * credential hash and flags, or that it was dropped), with the Raft index of the last entry
 * applied to it. Kept in {@code <raft dir>/users} and replaced atomically (write, fsync, rename,
 * fsync of the directory) on each users entry, on the apply thread, in log order; part of graft's
 * replicated state, so snapshots carry it.
 *
 * <p>Each member's system database is a projection of this table (the plugin's {@code
 * UserProjection}): users the table does not name are left as they are, and for a user it names,
 * the table wins. {@link #onChange} is told which users changed, after the file is durable.
 */
public final class UsersState {
  private static final int MAGIC = 0x47525553; // "GRUS"
  static final String FILE = "users";

  /** The table at one Raft index; users by name (sorted), dropped ones included. */
  public record Table(long raftIndex, Map<String, UserRecord> users) {
    public Table {
      users = Collections.unmodifiableMap(new TreeMap<>(users));
    }
  }

  private final Path directory;
  private volatile Table current;
  private volatile Consumer<Set<String>> listener = names -> { };

  private UsersState(Path directory, Table current) {
    this.directory = directory;
    this.current = current;
  }

  /** The table in {@code directory}, empty at index 0 if there is none yet. */
  public static UsersState open(Path directory) throws IOException {
    Files.createDirectories(directory);
    Path file = directory.resolve(FILE);
    return new UsersState(directory,
        Files.exists(file) ? read(file) : new Table(0, Map.of()));
  }

  public Table current() {
    return current;
  }

  /** Who is told (on the apply thread, so it must only enqueue) which users changed. */
  public void onChange(Consumer<Set<String>> listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /** Applies one users entry at {@code raftIndex}: durable before this returns. */
  public synchronized void apply(long raftIndex, List<UserRecord> changes) throws IOException {
    Map<String, UserRecord> next = new TreeMap<>(current.users());
    Set<String> names = new LinkedHashSet<>();
    for (UserRecord u : changes) {
      next.put(u.name(), u);
      names.add(u.name());
    }
    replace(new Table(raftIndex, next));
    notify(names);
  }

  /** A snapshot carries the table: written next to the store copy. */
  public void writeTo(Path file) throws IOException {
    Files.write(file, encode(current));
  }

  /**
   * A snapshot install replaces the table by the snapshot's (or by an empty one at {@code
   * raftIndex} when the snapshot has none, e.g. from a member without replicated users); every
   * user of either table may have changed.
   */
  public synchronized void installFrom(Path file, long raftIndex) throws IOException {
    Table installed = Files.exists(file) ? read(file) : new Table(raftIndex, Map.of());
    Set<String> names = new LinkedHashSet<>(current.users().keySet());
    names.addAll(installed.users().keySet());
    replace(new Table(raftIndex, installed.users()));
    notify(names);
  }

  private void notify(Set<String> names) {
    try {
      listener.accept(Set.copyOf(names));
    } catch (RuntimeException e) {
      // The projection retries from the durable table; a listener failure must not stop apply.
    }
  }

  private void replace(Table table) throws IOException {
    Path tmp = directory.resolve(FILE + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(encode(table)));
      ch.force(true);
    }
    Files.move(tmp, directory.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException ignored) {
      // Some file systems refuse to open a directory; the rename is still atomic there.
    }
    current = table;
  }

  private static byte[] encode(Table table) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(MAGIC);
    out.writeLong(table.raftIndex());
    out.writeInt(table.users().size());
    for (UserRecord u : table.users().values()) {
      EntryCodec.writeUser(out, u);
    }
    out.flush();
    CRC32C crc = new CRC32C();
    crc.update(bytes.toByteArray());
    out.writeInt((int) crc.getValue());
    out.flush();
    return bytes.toByteArray();
  }

  private static Table read(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    if (all.length < 20) {
      throw new IOException("graft: the users table " + file + " is truncated");
    }
    CRC32C crc = new CRC32C();
    crc.update(all, 0, all.length - 4);
    if ((int) crc.getValue() != ByteBuffer.wrap(all, all.length - 4, 4).getInt()) {
      throw new IOException("graft: the users table " + file + " is corrupt (checksum mismatch)");
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 0, all.length - 4));
    if (in.readInt() != MAGIC) {
      throw new IOException("graft: " + file + " is not a users table (bad magic number)");
    }
    long index = in.readLong();
    int n = in.readInt();
    Map<String, UserRecord> users = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      UserRecord u = EntryCodec.readUser(in);
      users.put(u.name(), u);
    }
    return new Table(index, users);
  }
}
