package io.graft.raft.storage.crash;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * A file system for crash tests (issue 14 item 5): files live in a real directory, but the file
 * system remembers what was made durable and what was not, and {@link #crash} replaces the
 * directory by what a power loss could leave behind. Code under test needs no seam: it gets a
 * {@link Path} of this file system and uses {@code FileChannel.open}, {@code Files.*} as usual
 * (the NIO provider interface routes every call here).
 *
 * <p>The model, per Linux (and POSIX) fsync semantics:
 *
 * <ul>
 *   <li>File data: writes and truncations reach the page cache (later reads see them) and become
 *       durable when {@code force} returns on any channel of that file.
 *   <li>Directory entries: creating, deleting and renaming a file become durable when the
 *       directory itself is forced ({@code FileChannel.open(dir, READ).force(true)}); forcing the
 *       file does not make its name durable.
 *   <li>A crash keeps, per file, the durable content plus a prefix of the later operations
 *       ({@link Mode#KEEP_PREFIX}, the last kept write possibly torn at any byte) or none of them
 *       ({@link Mode#LOSE_UNFORCED}); per directory, the durable entries plus a prefix of the later
 *       creations, deletions and renames (a journaling file system commits them in order): an
 *       unforced deletion can undo itself, and a created file can vanish.
 * </ul>
 *
 * <p>A crash can be scheduled at the Nth mutating call ({@link #crashAtCall}): that call is not
 * executed and throws, so crashes fall inside the code under test (between a write and its fsync,
 * between deleting two segments, ...). Every open channel is closed at the crash: the crashed code
 * cannot write anything afterwards. {@link #restart} then writes the crash image to the directory;
 * everything on it is durable again.
 */
public final class CrashFileSystem extends FileSystem {
  /** What a crash keeps of the operations that were not made durable. */
  public enum Mode {
    /** Nothing: the disk holds exactly what was forced. */
    LOSE_UNFORCED,
    /** A random prefix of the later operations, the last kept write possibly torn. */
    KEEP_PREFIX
  }

  /** What a crash did: operations lost, kept and torn (for test output). */
  public record CrashReport(String at, int opsLost, int opsKept, int torn) {}

  private final Path realRoot;
  private final CrashFileSystemProvider provider = new CrashFileSystemProvider(this);
  private final Map<Path, Inode> inodes = new HashMap<>();
  private final Map<Path, DirState> dirs = new HashMap<>();
  private final Map<TrackingChannel, Boolean> open = new IdentityHashMap<>();
  private long mutatingCalls;
  private long crashAtCall = -1;
  private RandomGenerator crashRandom;
  private Mode crashMode;
  private Image image;
  private CrashReport report;

  /** Wraps the existing directory {@code realRoot}; everything in it counts as durable. */
  public static CrashFileSystem over(Path realRoot) {
    return new CrashFileSystem(realRoot.toAbsolutePath().normalize());
  }

  private CrashFileSystem(Path realRoot) {
    this.realRoot = realRoot;
    scan();
  }

  /** The root directory, as a path of this file system. */
  public Path root() {
    return new CrashPath(this, realRoot);
  }

  /** Mutating calls (writes, truncations, fsyncs, creations, deletions, renames) so far. */
  public synchronized long mutatingCalls() {
    return mutatingCalls;
  }

  /** The crash will happen instead of mutating call number {@code call} (counted from now). */
  public synchronized void crashAtCall(long call, Mode mode, RandomGenerator random) {
    this.crashAtCall = mutatingCalls + call;
    this.crashMode = mode;
    this.crashRandom = random;
  }

  /** Cancels a scheduled crash that has not happened. */
  public synchronized void disarm() {
    crashAtCall = -1;
  }

  /** True once a crash happened and before {@link #restart}. */
  public synchronized boolean crashed() {
    return image != null;
  }

  /** Crashes now (between calls), unless a scheduled crash already happened. */
  public synchronized CrashReport crash(Mode mode, RandomGenerator random) {
    if (image == null) {
      takeImage("between calls", mode, random);
    }
    return report;
  }

  /** After a crash: the directory now holds the crash image; the code may reopen its files. */
  public synchronized CrashReport restart() {
    if (image == null) {
      throw new IllegalStateException("restart without a crash");
    }
    try {
      try (Stream<Path> walk = Files.walk(realRoot)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          if (!p.equals(realRoot)) {
            Files.delete(p);
          }
        }
      }
      for (Path dir : image.directories) {
        Files.createDirectories(dir);
      }
      for (Map.Entry<Path, byte[]> file : image.files.entrySet()) {
        Files.createDirectories(file.getKey().getParent());
        Files.write(file.getKey(), file.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the crash image to " + realRoot, e);
    }
    CrashReport done = report;
    image = null;
    report = null;
    crashAtCall = -1;
    scan();
    return done;
  }

  // ---- called by channels and the provider -------------------------------------------------

  void checkAlive() throws IOException {
    if (image != null) {
      throw new IOException("crashed (simulated power loss at " + report.at() + ")");
    }
  }

  /** Every mutating call comes here first: counts it, and crashes instead of it if scheduled. */
  void beforeMutation(String what) throws IOException {
    checkAlive();
    mutatingCalls++;
    if (mutatingCalls == crashAtCall) {
      takeImage(what, crashMode, crashRandom);
      checkAlive();
    }
  }

  synchronized void opened(TrackingChannel channel) {
    open.put(channel, Boolean.TRUE);
  }

  synchronized void closed(TrackingChannel channel) {
    open.remove(channel);
  }

  /** The inode of an existing regular file (tracked from its first sight on). */
  Inode inode(Path real) throws IOException {
    Inode inode = inodes.get(real);
    if (inode == null) {
      inode = new Inode(Files.readAllBytes(real));
      inodes.put(real, inode);
      dir(real.getParent()).durable.put(real.getFileName().toString(), inode);
    }
    return inode;
  }

  /** Records a new file (not yet a durable name). */
  Inode created(Path real) {
    Inode inode = new Inode(new byte[0]);
    inodes.put(real, inode);
    dir(real.getParent()).pending.add(new DirOp(DirOp.CREATE, real.getFileName().toString(), null,
        inode));
    return inode;
  }

  void directoryCreated(Path real) {
    dirs.put(real, new DirState());
    dir(real.getParent()).pending.add(new DirOp(DirOp.CREATE, real.getFileName().toString(), null,
        DIRECTORY));
  }

  void deleted(Path real) {
    Object node = inodes.remove(real);
    if (node == null) {
      node = DIRECTORY;
    }
    dir(real.getParent()).pending.add(new DirOp(DirOp.DELETE, real.getFileName().toString(), null,
        node));
  }

  void renamed(Path from, Path to) throws IOException {
    if (!from.getParent().equals(to.getParent())) {
      throw new UnsupportedOperationException("rename across directories: " + from + " -> " + to);
    }
    Inode inode = inode(from);
    inodes.remove(from);
    inodes.put(to, inode);
    dir(from.getParent()).pending.add(new DirOp(DirOp.RENAME, from.getFileName().toString(),
        to.getFileName().toString(), inode));
  }

  void directoryForced(Path real) {
    DirState state = dir(real);
    for (DirOp op : state.pending) {
      op.applyTo(state.durable);
    }
    state.pending.clear();
  }

  Path realRoot() {
    return realRoot;
  }

  // ---- the crash itself ---------------------------------------------------------------------

  private void takeImage(String at, Mode mode, RandomGenerator random) {
    int[] counts = new int[3];
    Image taken = new Image();
    Map<Inode, byte[]> contents = new IdentityHashMap<>();
    imageOf(realRoot, mode, random, taken, contents, counts);
    report = new CrashReport(at, counts[0], counts[1], counts[2]);
    image = taken;
    for (TrackingChannel channel : new ArrayList<>(open.keySet())) {
      try {
        channel.kill();
      } catch (IOException ignored) {
        // the process is gone; nothing to report
      }
    }
    open.clear();
  }

  private void imageOf(Path dirPath, Mode mode, RandomGenerator random, Image taken,
      Map<Inode, byte[]> contents, int[] counts) {
    DirState state = dir(dirPath);
    Map<String, Object> names = new TreeMap<>(state.durable);
    int keep = keep(state.pending.size(), mode, random);
    for (int i = 0; i < state.pending.size(); i++) {
      if (i < keep) {
        state.pending.get(i).applyTo(names);
      }
    }
    counts[0] += state.pending.size() - keep;
    counts[1] += keep;
    for (Map.Entry<String, Object> e : names.entrySet()) {
      Path child = dirPath.resolve(e.getKey());
      if (e.getValue() == DIRECTORY) {
        taken.directories.add(child);
        imageOf(child, mode, random, taken, contents, counts);
      } else {
        Inode inode = (Inode) e.getValue();
        byte[] content = contents.get(inode);
        if (content == null) {
          content = inode.crashContent(mode, random, counts);
          contents.put(inode, content);
        }
        taken.files.put(child, content);
      }
    }
  }

  private static int keep(int pending, Mode mode, RandomGenerator random) {
    return mode == Mode.LOSE_UNFORCED || pending == 0 ? 0 : random.nextInt(pending + 1);
  }

  /** Forgets every record: what is on disk now is durable (at start and after a restart). */
  private void scan() {
    inodes.clear();
    dirs.clear();
    dirs.put(realRoot, new DirState());
    try (Stream<Path> walk = Files.walk(realRoot)) {
      for (Path p : walk.sorted().toList()) {
        if (p.equals(realRoot)) {
          continue;
        }
        if (Files.isDirectory(p)) {
          dirs.put(p, new DirState());
          dir(p.getParent()).durable.put(p.getFileName().toString(), DIRECTORY);
        } else {
          inode(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot scan " + realRoot, e);
    }
  }

  private DirState dir(Path real) {
    DirState state = dirs.get(real);
    if (state == null) {
      // A directory outside what we saw created (e.g. above the root): treat it as durable.
      state = new DirState();
      dirs.put(real, state);
    }
    return state;
  }

  // ---- the model ------------------------------------------------------------------------------

  private static final Object DIRECTORY = new Object() {
    @Override
    public String toString() {
      return "<dir>";
    }
  };

  private static final class Image {
    final List<Path> directories = new ArrayList<>();
    final Map<Path, byte[]> files = new LinkedHashMap<>();
  }

  private static final class DirState {
    final Map<String, Object> durable = new TreeMap<>();
    final List<DirOp> pending = new ArrayList<>();
  }

  private record DirOp(int kind, String name, String toName, Object node) {
    static final int CREATE = 0;
    static final int DELETE = 1;
    static final int RENAME = 2;

    void applyTo(Map<String, Object> names) {
      switch (kind) {
        case CREATE -> names.put(name, node);
        case DELETE -> names.remove(name);
        default -> {
          names.remove(name);
          names.put(toName, node);
        }
      }
    }
  }

  /** A write of {@code bytes} at {@code position}, or (bytes null) a truncation to it. */
  record DataOp(long position, byte[] bytes) {
    static DataOp write(long position, byte[] bytes) {
      return new DataOp(position, bytes);
    }

    static DataOp truncate(long size) {
      return new DataOp(size, null);
    }
  }

  /** One file: its durable content and the operations since its last force. */
  static final class Inode {
    private byte[] durable;
    final List<DataOp> pending = new ArrayList<>();

    Inode(byte[] durable) {
      this.durable = durable;
    }

    void commit() {
      durable = apply(durable, pending, pending.size(), -1);
      pending.clear();
    }

    byte[] crashContent(Mode mode, RandomGenerator random, int[] counts) {
      int keep = keep(pending.size(), mode, random);
      int tornBytes = -1;
      if (mode == Mode.KEEP_PREFIX && keep < pending.size() && pending.get(keep).bytes() != null
          && pending.get(keep).bytes().length > 1 && random.nextBoolean()) {
        tornBytes = 1 + random.nextInt(pending.get(keep).bytes().length - 1);
        counts[2]++;
      }
      counts[0] += pending.size() - keep;
      counts[1] += keep;
      return apply(durable, pending, keep, tornBytes);
    }

    /** Applies the first {@code count} operations, then {@code torn} bytes of the next one. */
    private static byte[] apply(byte[] base, List<DataOp> ops, int count, int torn) {
      byte[] content = base;
      for (int i = 0; i < count + (torn > 0 ? 1 : 0); i++) {
        DataOp op = ops.get(i);
        if (op.bytes() == null) {
          content = Arrays.copyOf(content, (int) Math.min(content.length, op.position()));
          continue;
        }
        int length = i == count ? torn : op.bytes().length;
        int end = (int) op.position() + length;
        if (end > content.length) {
          content = Arrays.copyOf(content, end);
        }
        System.arraycopy(op.bytes(), 0, content, (int) op.position(), length);
      }
      return content;
    }
  }

  // ---- java.nio.file.FileSystem ---------------------------------------------------------------

  @Override
  public FileSystemProvider provider() {
    return provider;
  }

  @Override
  public void close() {}

  @Override
  public boolean isOpen() {
    return true;
  }

  @Override
  public boolean isReadOnly() {
    return false;
  }

  @Override
  public String getSeparator() {
    return FileSystems.getDefault().getSeparator();
  }

  @Override
  public Iterable<Path> getRootDirectories() {
    List<Path> roots = new ArrayList<>();
    for (Path r : FileSystems.getDefault().getRootDirectories()) {
      roots.add(new CrashPath(this, r));
    }
    return roots;
  }

  @Override
  public Iterable<FileStore> getFileStores() {
    return FileSystems.getDefault().getFileStores();
  }

  @Override
  public Set<String> supportedFileAttributeViews() {
    return FileSystems.getDefault().supportedFileAttributeViews();
  }

  @Override
  public Path getPath(String first, String... more) {
    return new CrashPath(this, FileSystems.getDefault().getPath(first, more));
  }

  @Override
  public PathMatcher getPathMatcher(String syntaxAndPattern) {
    PathMatcher real = FileSystems.getDefault().getPathMatcher(syntaxAndPattern);
    return path -> real.matches(CrashPath.unwrap(path));
  }

  @Override
  public UserPrincipalLookupService getUserPrincipalLookupService() {
    return FileSystems.getDefault().getUserPrincipalLookupService();
  }

  @Override
  public java.nio.file.WatchService newWatchService() {
    throw new UnsupportedOperationException("no watch service on the crash file system");
  }
}
