package io.graft.raft.storage.crash;

import java.io.IOException;
import java.net.URI;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;

/** A path of a {@link CrashFileSystem}: a default-file-system path in a wrapper. */
final class CrashPath implements Path {
  private final CrashFileSystem fs;
  final Path real;

  CrashPath(CrashFileSystem fs, Path real) {
    this.fs = fs;
    this.real = real;
  }

  static Path unwrap(Path path) {
    if (path instanceof CrashPath p) {
      return p.real;
    }
    throw new ProviderMismatchException("not a crash file system path: " + path);
  }

  private Path wrap(Path p) {
    return p == null ? null : new CrashPath(fs, p);
  }

  @Override
  public CrashFileSystem getFileSystem() {
    return fs;
  }

  @Override
  public boolean isAbsolute() {
    return real.isAbsolute();
  }

  @Override
  public Path getRoot() {
    return wrap(real.getRoot());
  }

  @Override
  public Path getFileName() {
    return wrap(real.getFileName());
  }

  @Override
  public Path getParent() {
    return wrap(real.getParent());
  }

  @Override
  public int getNameCount() {
    return real.getNameCount();
  }

  @Override
  public Path getName(int index) {
    return wrap(real.getName(index));
  }

  @Override
  public Path subpath(int beginIndex, int endIndex) {
    return wrap(real.subpath(beginIndex, endIndex));
  }

  @Override
  public boolean startsWith(Path other) {
    return other instanceof CrashPath p && real.startsWith(p.real);
  }

  @Override
  public boolean endsWith(Path other) {
    return other instanceof CrashPath p && real.endsWith(p.real);
  }

  @Override
  public Path normalize() {
    return wrap(real.normalize());
  }

  @Override
  public Path resolve(Path other) {
    return wrap(real.resolve(unwrap(other)));
  }

  @Override
  public Path relativize(Path other) {
    return wrap(real.relativize(unwrap(other)));
  }

  @Override
  public URI toUri() {
    throw new UnsupportedOperationException("crash file system paths have no URI");
  }

  @Override
  public Path toAbsolutePath() {
    return wrap(real.toAbsolutePath());
  }

  @Override
  public Path toRealPath(LinkOption... options) throws IOException {
    return wrap(real.toRealPath(options));
  }

  @Override
  public WatchKey register(
      WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
    throw new UnsupportedOperationException("no watch service on the crash file system");
  }

  @Override
  public int compareTo(Path other) {
    return real.compareTo(unwrap(other));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CrashPath p && p.fs == fs && p.real.equals(real);
  }

  @Override
  public int hashCode() {
    return real.hashCode();
  }

  @Override
  public String toString() {
    return real.toString();
  }
}
