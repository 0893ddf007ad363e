/**
 * The durable Raft log: a directory of segment files, a {@code log-meta} file and a {@code lock}.
 *
 * <p>On disk: {@code raft-log-<first index, 20 digits>.seg} files, each a 36-byte {@link
 * io.graft.raft.storage.segmented.SegmentHeader} followed by records {@code [length u32][crc32c
 * u32][term u64][index u64][type code u8][payload]} (see {@code RecordCodec}); {@code log-meta}
 * holds the snapshot index and term below which the log was compacted, replaced atomically.
 *
 * <p>Durability: {@code sync()} writes the write buffer and fsyncs the last segment once (group
 * commit), plus the directory if a segment was created. Rotation fsyncs the finished segment before
 * the next one receives data, so only the last segment can hold un-synced bytes. Truncation and
 * compaction fsync at once (they are rare).
 *
 * <p>Recovery ({@code SegmentRecovery}): every record is checked (CRC32C, dense index,
 * non-decreasing term, known type). A bad record at the tail of the last segment is a torn write
 * and is truncated (logged with file, offset and bytes dropped). A bad record followed by a valid
 * one is corruption and refuses startup, unless the damaged range contains an all-zero 512-byte
 * sector (a page never written back before the crash, the same test etcd's WAL uses). Any problem
 * in a non-last segment, or a gap between segments or before the snapshot, refuses startup with
 * file, byte offset and what to do.
 */
package io.graft.raft.storage.segmented;
