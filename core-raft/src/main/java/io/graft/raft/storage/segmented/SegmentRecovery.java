package io.graft.raft.storage.segmented;

import io.graft.raft.api.RaftLogging;
import io.graft.raft.storage.FileSync;
import io.graft.raft.storage.StorageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import org.slf4j.Logger;

/**
 * Rebuilds the in-memory index of a segmented log from its directory, validating every record.
 *
 * <p>What a crash can legitimately leave behind, and is repaired (and logged): a torn or corrupt
 * record at the tail of the <em>last</em> segment (un-synced writes, Raft may lose them: nothing
 * was acknowledged for them), a torn header of a just-created last segment, spare files of the
 * {@link SegmentPreallocator}, segments an interrupted
 * compaction had not yet deleted, and a stale temp file. Everything else, that is corruption in a
 * non-last segment, corruption followed by valid records in the last one, or a gap or misordered
 * index between segments, could drop entries this member already acknowledged, which would break
 * the leader's quorum arithmetic (Raft §5.4); recovery then refuses to start and names file and
 * offset. Non-last segments are fsynced at rotation, before the next segment gets any data, so a
 * crash cannot leave an incomplete non-last segment. Zeros from some record boundary to the end of
 * a file are the unused end of a preallocated segment, not damage.
 */
final class SegmentRecovery {

  /** The recovered state: open segments, and term/offset for every physically present index. */
  record Result(List<Segment> segments, long baseIndex, LongList terms, LongList offsets,
      long snapshotIndex, long snapshotTerm) {}

  private final Path dir;
  private final Logger log;
  private final List<Segment> segments = new ArrayList<>();
  private final LongList terms = new LongList();
  private final LongList offsets = new LongList();

  private SegmentRecovery(Path dir, Logger log) {
    this.dir = dir;
    this.log = log;
  }

  /** Recovers the log in {@code dir}, reporting what it drops to {@code logging}. */
  static Result recover(Path dir, RaftLogging logging) {
    try {
      return new SegmentRecovery(dir, logging.logger(SegmentRecovery.class)).run();
    } catch (IOException e) {
      throw new StorageException("cannot recover raft log in " + dir, e);
    }
  }

  private Result run() throws IOException {
    LogMetaFile.Snapshot snapshot = LogMetaFile.read(dir);
    Files.deleteIfExists(dir.resolve("log-meta.tmp"));
    SegmentPreallocator.deleteLeftovers(dir);
    List<Path> files = listSegments();
    long baseIndex = files.isEmpty() ? snapshot.index() + 1 : indexOf(files.get(0));
    if (baseIndex > snapshot.index() + 1) {
      throw refuse(files.get(0), 0, "the log starts at index " + baseIndex + " but the snapshot"
          + " (log-meta) only covers up to " + snapshot.index() + ": entries are missing");
    }
    long expected = baseIndex;
    long minTerm = 0;
    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i);
      boolean last = i == files.size() - 1;
      if (indexOf(file) != expected) {
        throw refuse(file, 0, "segment starts at index " + indexOf(file) + " but the previous one"
            + " ends at " + (expected - 1) + " (gap or misordered segments)");
      }
      FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
      Segment segment;
      try {
        segment = scanSegment(file, ch, expected, minTerm, last);
      } catch (RuntimeException | IOException e) {
        ch.close();
        throw e;
      }
      if (segment == null) {
        continue;
      }
      segments.add(segment);
      expected = baseIndex + terms.size();
      minTerm = terms.size() == 0 ? 0 : terms.get(terms.size() - 1);
    }
    return dropCompacted(baseIndex, snapshot);
  }

  /** Scans one segment; returns null if it was a torn, empty last segment (deleted). */
  private Segment scanSegment(Path file, FileChannel ch, long firstIndex, long minTerm,
      boolean last) throws IOException {
    SegmentScanner scanner = new SegmentScanner(file, ch);
    try {
      SegmentHeader header = scanner.readHeader();
      if (header.firstIndex() != firstIndex) {
        throw refuse(file, 0, "header says first index " + header.firstIndex()
            + " but the file name says " + firstIndex);
      }
    } catch (IllegalArgumentException e) {
      if (!last) {
        throw refuse(file, 0, "bad segment header: " + e.getMessage());
      }
      log.warn("Raft log: deleting last segment {} with a torn header ({}), {} bytes dropped",
          file, e.getMessage(), scanner.fileSize());
      ch.close();
      deleteAndSync(file);
      return null;
    }
    long offset = SegmentHeader.BYTES;
    long index = firstIndex;
    long term = minTerm;
    while (offset < scanner.fileSize()) {
      int size = scanner.recordBytesAt(offset, index, term);
      if (size < 0) {
        if (!scanner.allZeroFrom(offset)) {
          handleBadRecord(scanner, file, ch, offset, index, term, last);
        }
        // else: the unused, preallocated end of the segment (SegmentPreallocator). A lost record
        // of a finished segment shows as a gap before the next one and is refused there.
        break;
      }
      term = scanner.termAt(offset);
      terms.add(term);
      offsets.add(offset);
      offset += size;
      index++;
    }
    return new Segment(file, firstIndex, ch, offset);
  }

  private void handleBadRecord(SegmentScanner scanner, Path file, FileChannel ch, long offset,
      long index, long term, boolean last) throws IOException {
    String why = scanner.problem();
    if (!last) {
      throw refuse(file, offset, "bad record for index " + index + " in a segment that is not the"
          + " last one (" + why + ")");
    }
    long next = scanner.findValidRecordAfter(offset, index, term);
    if (next >= 0 && !scanner.hasZeroSector(offset, next)) {
      throw refuse(file, offset, "bad record for index " + index + " (" + why + ") followed by a"
          + " valid record at byte offset " + next + ": this is corruption inside the log, not a"
          + " torn tail write");
    }
    long dropped = scanner.fileSize() - offset;
    log.warn("Raft log: truncating torn tail of {} at byte offset {} (record for index {}: {}),"
        + " {} bytes dropped", file, offset, index, why, dropped);
    ch.truncate(offset);
    ch.force(true);
  }

  /** Finishes an interrupted compaction: entries at or below the snapshot index are not kept. */
  private Result dropCompacted(long baseIndex, LogMetaFile.Snapshot snapshot) throws IOException {
    long base = baseIndex;
    boolean deleted = false;
    while (!segments.isEmpty()) {
      Segment first = segments.get(0);
      long firstEnd = segments.size() > 1 ? segments.get(1).firstIndex : base + terms.size();
      boolean empty = segments.size() == 1 && firstEnd == first.firstIndex;
      if (firstEnd - 1 > snapshot.index() && !empty) {
        break;
      }
      int count = (int) (firstEnd - first.firstIndex);
      terms.removeFirst(count);
      offsets.removeFirst(count);
      base = firstEnd;
      first.close();
      Files.delete(first.path);
      segments.remove(0);
      deleted = true;
      log.info("Raft log: deleted {} (compacted or empty; snapshot index {})", first.path,
          snapshot.index());
    }
    if (deleted) {
      FileSync.forceDirectory(dir);
    }
    if (segments.isEmpty()) {
      base = snapshot.index() + 1;
    }
    return new Result(List.copyOf(segments), base, terms, offsets, snapshot.index(),
        snapshot.term());
  }

  private List<Path> listSegments() throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path p : stream) {
        if (SegmentFileNames.firstIndexOf(p).isPresent()) {
          files.add(p);
        }
      }
    }
    files.sort(Comparator.comparingLong(SegmentRecovery::indexOf));
    return files;
  }

  private static long indexOf(Path file) {
    OptionalLong index = SegmentFileNames.firstIndexOf(file);
    return index.orElseThrow();
  }

  private void deleteAndSync(Path file) throws IOException {
    Files.delete(file);
    FileSync.forceDirectory(dir);
  }

  private StorageException refuse(Path file, long offset, String what) {
    for (Segment s : segments) {
      s.close();
    }
    return new StorageException("Raft log " + file + " is corrupt at byte offset " + offset + ": "
        + what + ". Refusing to start, because dropping data that is not a torn tail could lose"
        + " entries this member acknowledged. Fix: move this member's raft log directory aside and"
        + " rejoin it to the cluster as an empty member (it will catch up from the leader), or"
        + " restore the directory from a backup.");
  }
}
