package io.graft.raft.storage.crash;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.spi.FileSystemProvider;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The NIO provider of one {@link CrashFileSystem}: every call is done on the real file system;
 * the mutating ones are first recorded (and may be where a scheduled crash strikes).
 */
final class CrashFileSystemProvider extends FileSystemProvider {
  private final CrashFileSystem fs;

  CrashFileSystemProvider(CrashFileSystem fs) {
    this.fs = fs;
  }

  private static Path real(Path path) {
    return CrashPath.unwrap(path).toAbsolutePath().normalize();
  }

  private static FileSystemProvider defaults() {
    return java.nio.file.FileSystems.getDefault().provider();
  }

  @Override
  public String getScheme() {
    return "crashfs";
  }

  @Override
  public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
    throw new UnsupportedOperationException("use CrashFileSystem.over(dir)");
  }

  @Override
  public FileSystem getFileSystem(URI uri) {
    throw new UnsupportedOperationException("use CrashFileSystem.over(dir)");
  }

  @Override
  public Path getPath(URI uri) {
    throw new UnsupportedOperationException("crash file system paths have no URI");
  }

  @Override
  public SeekableByteChannel newByteChannel(
      Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
    return newFileChannel(path, options, attrs);
  }

  @Override
  public FileChannel newFileChannel(
      Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
    Path real = real(path);
    if (options.contains(StandardOpenOption.APPEND)
        || options.contains(StandardOpenOption.DELETE_ON_CLOSE)) {
      throw new UnsupportedOperationException("not tracked by the crash file system: " + options);
    }
    synchronized (fs) {
      fs.checkAlive();
      boolean exists = Files.exists(real);
      boolean creates =
          options.contains(StandardOpenOption.CREATE_NEW)
              || (options.contains(StandardOpenOption.CREATE) && !exists);
      if (creates) {
        fs.beforeMutation("create " + real);
      }
      boolean truncates =
          exists
              && options.contains(StandardOpenOption.WRITE)
              && options.contains(StandardOpenOption.TRUNCATE_EXISTING)
              && Files.size(real) > 0;
      if (truncates) {
        fs.beforeMutation("truncate " + real + " at open");
      }
      FileChannel channel = defaults().newFileChannel(real, options, attrs);
      CrashFileSystem.Inode inode;
      if (Files.isDirectory(real)) {
        inode = null;
      } else if (creates) {
        inode = fs.created(real);
      } else {
        inode = fs.inode(real);
        if (truncates) {
          inode.pending.add(CrashFileSystem.DataOp.truncate(0));
        }
      }
      TrackingChannel tracking = new TrackingChannel(fs, real, inode, channel);
      fs.opened(tracking);
      return tracking;
    }
  }

  @Override
  public DirectoryStream<Path> newDirectoryStream(
      Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
    fs.checkAlive();
    DirectoryStream<Path> real =
        Files.newDirectoryStream(real(dir), p -> filter.accept(new CrashPath(fs, p)));
    return new DirectoryStream<>() {
      @Override
      public Iterator<Path> iterator() {
        Iterator<Path> it = real.iterator();
        return new Iterator<>() {
          @Override
          public boolean hasNext() {
            return it.hasNext();
          }

          @Override
          public Path next() {
            return new CrashPath(fs, it.next());
          }
        };
      }

      @Override
      public void close() throws IOException {
        real.close();
      }
    };
  }

  @Override
  public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
    Path real = real(dir);
    synchronized (fs) {
      fs.beforeMutation("mkdir " + real);
      Files.createDirectory(real, attrs);
      fs.directoryCreated(real);
    }
  }

  @Override
  public void delete(Path path) throws IOException {
    Path real = real(path);
    synchronized (fs) {
      fs.checkAlive();
      if (!Files.exists(real)) {
        throw new java.nio.file.NoSuchFileException(real.toString());
      }
      fs.beforeMutation("delete " + real);
      if (!Files.isDirectory(real)) {
        fs.inode(real);
      }
      Files.delete(real);
      fs.deleted(real);
    }
  }

  @Override
  public void copy(Path source, Path target, CopyOption... options) {
    throw new UnsupportedOperationException("copy is not tracked by the crash file system");
  }

  @Override
  public void move(Path source, Path target, CopyOption... options) throws IOException {
    Path from = real(source);
    Path to = real(target);
    synchronized (fs) {
      fs.beforeMutation("rename " + from + " -> " + to);
      fs.inode(from);
      Files.move(from, to, options);
      fs.renamed(from, to);
    }
  }

  @Override
  public boolean isSameFile(Path path, Path path2) throws IOException {
    return Files.isSameFile(real(path), real(path2));
  }

  @Override
  public boolean isHidden(Path path) throws IOException {
    return Files.isHidden(real(path));
  }

  @Override
  public FileStore getFileStore(Path path) throws IOException {
    return Files.getFileStore(real(path));
  }

  @Override
  public void checkAccess(Path path, AccessMode... modes) throws IOException {
    defaults().checkAccess(real(path), modes);
  }

  @Override
  public <V extends FileAttributeView> V getFileAttributeView(
      Path path, Class<V> type, LinkOption... options) {
    return defaults().getFileAttributeView(real(path), type, options);
  }

  @Override
  public <A extends BasicFileAttributes> A readAttributes(
      Path path, Class<A> type, LinkOption... options) throws IOException {
    return defaults().readAttributes(real(path), type, options);
  }

  @Override
  public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
      throws IOException {
    return defaults().readAttributes(real(path), attributes, options);
  }

  @Override
  public void setAttribute(Path path, String attribute, Object value, LinkOption... options)
      throws IOException {
    defaults().setAttribute(real(path), attribute, value, options);
  }
}
