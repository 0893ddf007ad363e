package io.graft.raft.storage.segmented;

import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of segment files: {@code raft-log-<firstIndex, 20 digits>.seg}. Zero-padding makes the
 * lexicographic order of names the index order, which helps humans listing the directory; recovery
 * nevertheless sorts by the parsed index.
 */
public final class SegmentFileNames {
  static final String PREFIX = "raft-log-";
  static final String SUFFIX = ".seg";
  private static final Pattern NAME = Pattern.compile("raft-log-(\\d{20})\\.seg");

  private SegmentFileNames() {}

  /** The file name of the segment whose first record has index {@code firstIndex}. */
  public static String name(long firstIndex) {
    if (firstIndex < 1) {
      throw new IllegalArgumentException("segment first index must be >= 1: " + firstIndex);
    }
    return String.format("%s%020d%s", PREFIX, firstIndex, SUFFIX);
  }

  /** The first index encoded in a segment file name, or empty if it is not a segment file. */
  public static OptionalLong firstIndexOf(Path file) {
    Matcher m = NAME.matcher(file.getFileName().toString());
    if (!m.matches()) {
      return OptionalLong.empty();
    }
    try {
      long index = Long.parseLong(m.group(1));
      return index >= 1 ? OptionalLong.of(index) : OptionalLong.empty();
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
