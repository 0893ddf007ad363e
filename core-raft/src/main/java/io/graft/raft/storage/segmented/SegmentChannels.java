package io.graft.raft.storage.segmented;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/** Opens segment files; {@link FileChannel#open} except where a test injects disk failures. */
@FunctionalInterface
interface SegmentChannels {
  SegmentChannels DEFAULT = FileChannel::open;

  FileChannel open(Path path, OpenOption... options) throws IOException;
}
