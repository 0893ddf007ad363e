package io.graft.raft.runtime.snapshot;

import io.graft.raft.api.CommittedEntry;
import io.graft.raft.api.SnapshotSupport;
import io.graft.raft.api.StateMachine;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A small file-based state machine for snapshot tests: a key/value map ("key=value" payloads) and
 * its applied index, saved to {@code <dir>/state} after every apply (write temp, rename: durable
 * enough for in-process restarts). Its snapshot is the map file plus a deterministic filler file
 * (so a snapshot spans several chunks) in a subdirectory. {@link #digest()} compares replicas.
 */
public final class KvFileStateMachine implements StateMachine, SnapshotSupport {
  private final Path dir;
  private final int fillerBytes;
  private final TreeMap<String, String> map = new TreeMap<>();
  private volatile long applied;
  public volatile int installs;

  public KvFileStateMachine(Path dir, int fillerBytes) {
    this.dir = dir;
    this.fillerBytes = fillerBytes;
    try {
      Files.createDirectories(dir);
      Path state = dir.resolve("state");
      if (Files.exists(state)) {
        applied = read(Files.readAllBytes(state), map);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public synchronized Object apply(CommittedEntry entry) throws Exception {
    String kv = new String(entry.payload(), StandardCharsets.UTF_8);
    int eq = kv.indexOf('=');
    map.put(kv.substring(0, eq), kv.substring(eq + 1));
    applied = entry.index();
    save();
    return applied;
  }

  @Override
  public synchronized void onInternalEntry(long index, long term) {
    applied = index;
    try {
      save();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public long lastAppliedIndex() {
    return applied;
  }

  @Override
  public SnapshotSupport snapshots() {
    return this;
  }

  @Override
  public synchronized long write(Path directory) throws Exception {
    Files.write(directory.resolve("kv.bin"), encode(applied, map));
    Path sub = Files.createDirectories(directory.resolve("blobs"));
    byte[] filler = new byte[fillerBytes];
    new SplittableRandom(applied).nextBytes(filler);
    Files.write(sub.resolve("filler.bin"), filler);
    Files.write(sub.resolve("empty.bin"), new byte[0]);
    return applied;
  }

  @Override
  public synchronized void install(Path directory, long index) throws Exception {
    TreeMap<String, String> fresh = new TreeMap<>();
    long at = read(Files.readAllBytes(directory.resolve("kv.bin")), fresh);
    if (at != index) {
      throw new IllegalStateException("snapshot file says " + at + ", runtime says " + index);
    }
    map.clear();
    map.putAll(fresh);
    applied = index;
    installs++;
    save();
  }

  synchronized Map<String, String> snapshotOfMap() {
    return new TreeMap<>(map);
  }

  public synchronized String digest() {
    return applied + ":" + map.hashCode() + ":" + map.size();
  }

  private void save() throws IOException {
    Path tmp = dir.resolve("state.tmp");
    Files.write(tmp, encode(applied, map));
    Files.move(tmp, dir.resolve("state"), StandardCopyOption.ATOMIC_MOVE);
  }

  private static byte[] encode(long applied, Map<String, String> map) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeLong(applied);
      out.writeInt(map.size());
      for (Map.Entry<String, String> e : map.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeUTF(e.getValue());
      }
    }
    return bytes.toByteArray();
  }

  private static long read(byte[] bytes, Map<String, String> into) throws IOException {
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
      long applied = in.readLong();
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        into.put(in.readUTF(), in.readUTF());
      }
      return applied;
    }
  }
}
