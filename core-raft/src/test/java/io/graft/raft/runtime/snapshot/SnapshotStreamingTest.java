package io.graft.raft.runtime.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.raft.api.CommittedEntry;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.message.Envelope;
import io.graft.raft.message.InstallSnapshot;
import io.graft.raft.message.InstallSnapshotResponse;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.transport.Transport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot files and their transfer, deterministically on the test thread (thesis §5.3, chunked
 * InstallSnapshot): a snapshot is taken through SnapshotSupport with a CRC32C per file and only the
 * newest is kept; the stream arrives in checksummed chunks; a corrupt chunk is refused and sent
 * again; a lost chunk is resent after the resend interval; a receiver restarted mid-transfer
 * resumes from the bytes on its disk; a file that does not match its manifest is never installed;
 * progress is reported. The same classes over real sockets: {@link SnapshotOverNettyTest}.
 */
class SnapshotStreamingTest {
  static final MemberId LEADER = MemberId.of("leader");
  static final MemberId FOLLOWER = MemberId.of("follower");
  static final int CHUNK = 64 * 1024;
  static final long RESEND = 100;

  @TempDir Path tmp;

  /** A state machine with {@code entries} applied and a snapshot of it taken. */
  static LocalSnapshot snapshotOf(Path dir, int entries, SnapshotStore store) throws Exception {
    KvFileStateMachine sm = new KvFileStateMachine(dir, 300_000);
    for (int i = 1; i <= entries; i++) {
      sm.apply(new CommittedEntry(i, 1, ("k" + (i % 7) + "=v" + i).getBytes(
          StandardCharsets.UTF_8)));
    }
    return store.take(sm, entries, 1, new byte[] {7, 7});
  }

  /** Messages in flight; delivered one at a time by the test. */
  static final class Pump implements Transport {
    final Deque<Envelope> queue = new ArrayDeque<>();

    @Override
    public void start(Consumer<RaftMessage> inbound) {}

    @Override
    public void setPeers(Map<MemberId, String> addresses) {}

    @Override
    public void send(MemberId to, RaftMessage message) {
      queue.add(new Envelope(to, message));
    }

    @Override
    public void close() {}
  }

  /** Delivers until quiet; {@code onChunk} may alter or drop (null) a chunk in flight. */
  static int run(Pump pump, SnapshotSender sender, SnapshotReceiver receiver,
      UnaryOperator<InstallSnapshot> onChunk) {
    int delivered = 0;
    while (!pump.queue.isEmpty()) {
      Envelope e = pump.queue.poll();
      delivered++;
      if (e.message() instanceof InstallSnapshot c) {
        InstallSnapshot altered = onChunk.apply(c);
        if (altered != null) {
          receiver.onChunk(altered);
        }
      } else {
        sender.onResponse((InstallSnapshotResponse) e.message());
      }
    }
    return delivered;
  }

  static void assertSameFiles(LocalSnapshot a, LocalSnapshot b) throws Exception {
    assertThat(b.manifest().files()).isEqualTo(a.manifest().files());
    assertThat(b.manifest().configuration()).isEqualTo(a.manifest().configuration());
    for (SnapshotManifest.FileEntry f : a.manifest().files()) {
      assertThat(Files.readAllBytes(b.filesDirectory().resolve(f.path())))
          .as(f.path()).isEqualTo(Files.readAllBytes(a.filesDirectory().resolve(f.path())));
    }
  }

  private final List<LocalSnapshot> received = new ArrayList<>();

  private SnapshotReceiver receiver(Pump pump, SnapshotStore store) {
    return new SnapshotReceiver(FOLLOWER, store, pump, (s, from) -> received.add(s),
        RaftLogging.slf4j());
  }

  @Test
  void takeWritesFilesWithChecksumsAndKeepsOnlyTheNewest() throws Exception {
    SnapshotStore store = new SnapshotStore(tmp.resolve("snapshots"), RaftLogging.slf4j());
    LocalSnapshot first = snapshotOf(tmp.resolve("sm1"), 10, store);
    assertThat(first.manifest().files()).extracting(SnapshotManifest.FileEntry::path)
        .containsExactly("blobs/empty.bin", "blobs/filler.bin", "kv.bin");
    for (SnapshotManifest.FileEntry f : first.manifest().files()) {
      assertThat(SnapshotFiles.crc32c(first.filesDirectory().resolve(f.path())))
          .isEqualTo(f.crc32c());
    }
    LocalSnapshot second = snapshotOf(tmp.resolve("sm2"), 20, store);
    assertThat(store.newest()).contains(second);
    assertThat(Files.exists(first.directory())).as("older snapshot deleted").isFalse();
    try (var children = Files.list(store.root())) {
      assertThat(children.map(p -> p.getFileName().toString())).containsExactly("20-1");
    }
    // a reopened store finds it again
    assertThat(new SnapshotStore(store.root(),
        RaftLogging.slf4j()).newest().orElseThrow().manifest().files())
        .isEqualTo(second.manifest().files());
  }

  @Test
  void streamArrivesInChecksummedChunksWithProgressAndIsIdentical() throws Exception {
    Pump pump = new Pump();
    SnapshotStore leaderStore = new SnapshotStore(tmp.resolve("l"), RaftLogging.slf4j());
    LocalSnapshot source = snapshotOf(tmp.resolve("sm"), 10, leaderStore);
    AtomicLong clock = new AtomicLong();
    SnapshotSender sender = new SnapshotSender(LEADER, leaderStore, pump, CHUNK, RESEND,
        20 * RESEND, clock::get, RaftLogging.slf4j());
    SnapshotReceiver receiver = receiver(pump, new SnapshotStore(tmp.resolve("f"),
        RaftLogging.slf4j()));
    List<Long> acked = new ArrayList<>();
    List<Integer> chunkSizes = new ArrayList<>();
    sender.send(FOLLOWER, 3, 10, 1);
    while (!pump.queue.isEmpty()) {
      run1(pump, sender, receiver, chunkSizes);
      sender.progress().forEach(p -> acked.add(p.bytesAcked()));
    }
    assertThat(received).hasSize(1);
    assertSameFiles(source, received.get(0));
    assertThat(chunkSizes).hasSizeGreaterThan(4).allMatch(n -> n <= CHUNK);
    assertThat(acked).isSorted().last().isEqualTo(new SnapshotStream(source).totalBytes());
    assertThat(receiver.refusedChunks()).isZero();
    long total = new SnapshotStream(source).totalBytes();
    assertThat(sender.counts()).as("started, completed, bytes sent").containsExactly(1L, 1L, total);
    assertThat(receiver.counts()).as("received, bytes received").containsExactly(1L, total);
  }

  private static void run1(Pump pump, SnapshotSender sender, SnapshotReceiver receiver,
      List<Integer> chunkSizes) {
    Envelope e = pump.queue.poll();
    if (e.message() instanceof InstallSnapshot c) {
      chunkSizes.add(c.data().length);
      assertThat(c.crc32c()).isEqualTo(SnapshotFiles.crc32c(c.data()));
      assertThat(c.term()).isEqualTo(3);
      receiver.onChunk(c);
    } else {
      sender.onResponse((InstallSnapshotResponse) e.message());
    }
  }

  @Test
  void corruptChunkIsRefusedAndSentAgain() throws Exception {
    Pump pump = new Pump();
    SnapshotStore leaderStore = new SnapshotStore(tmp.resolve("l"), RaftLogging.slf4j());
    LocalSnapshot source = snapshotOf(tmp.resolve("sm"), 10, leaderStore);
    SnapshotSender sender = new SnapshotSender(LEADER, leaderStore, pump, CHUNK, RESEND,
        20 * RESEND,
        () -> 0, RaftLogging.slf4j());
    SnapshotReceiver receiver = receiver(pump, new SnapshotStore(tmp.resolve("f"),
        RaftLogging.slf4j()));
    List<Long> offsetsSeen = new ArrayList<>();
    sender.send(FOLLOWER, 3, 10, 1);
    run(pump, sender, receiver, c -> {
      offsetsSeen.add(c.offset());
      if (offsetsSeen.size() == 3) { // flip one bit of the third chunk, keep its checksum
        byte[] bad = c.data().clone();
        bad[bad.length / 2] ^= 0x10;
        return new InstallSnapshot(c.from(), c.term(), c.lastIncludedIndex(),
            c.lastIncludedTerm(), c.configuration(), c.offset(), bad, c.crc32c(), c.done());
      }
      return c;
    });
    assertThat(receiver.refusedChunks()).isEqualTo(1);
    assertThat(offsetsSeen.get(3)).as("the refused chunk is re-requested")
        .isEqualTo(offsetsSeen.get(2));
    assertThat(received).hasSize(1);
    assertSameFiles(source, received.get(0));
  }

  @Test
  void lostChunkIsResentAfterTheResendIntervalAndSilentTransfersAreDropped() throws Exception {
    Pump pump = new Pump();
    SnapshotStore leaderStore = new SnapshotStore(tmp.resolve("l"), RaftLogging.slf4j());
    LocalSnapshot source = snapshotOf(tmp.resolve("sm"), 10, leaderStore);
    AtomicLong clock = new AtomicLong();
    SnapshotSender sender = new SnapshotSender(LEADER, leaderStore, pump, CHUNK, RESEND,
        20 * RESEND, clock::get, RaftLogging.slf4j());
    SnapshotReceiver receiver = receiver(pump, new SnapshotStore(tmp.resolve("f"),
        RaftLogging.slf4j()));
    int[] chunks = {0};
    sender.send(FOLLOWER, 3, 10, 1);
    run(pump, sender, receiver, c -> ++chunks[0] == 2 ? null : c); // the 2nd chunk is lost
    assertThat(received).isEmpty();
    sender.poll(); // not yet due
    assertThat(pump.queue).isEmpty();
    clock.addAndGet(RESEND);
    sender.poll();
    assertThat(pump.queue).hasSize(1);
    run(pump, sender, receiver, c -> c);
    assertThat(received).hasSize(1);
    assertSameFiles(source, received.get(0));
    // a transfer that hears nothing for 20 resend intervals is dropped (the protocol re-issues)
    sender.send(MemberId.of("gone"), 3, 10, 1);
    pump.queue.clear();
    clock.addAndGet(21 * RESEND);
    sender.poll();
    assertThat(sender.progress()).extracting(SnapshotSender.TransferProgress::to)
        .doesNotContain(MemberId.of("gone"));
  }

  @Test
  void receiverRestartedMidTransferResumesFromItsDisk() throws Exception {
    Pump pump = new Pump();
    SnapshotStore leaderStore = new SnapshotStore(tmp.resolve("l"), RaftLogging.slf4j());
    LocalSnapshot source = snapshotOf(tmp.resolve("sm"), 10, leaderStore);
    AtomicLong clock = new AtomicLong();
    SnapshotSender sender = new SnapshotSender(LEADER, leaderStore, pump, CHUNK, RESEND,
        20 * RESEND, clock::get, RaftLogging.slf4j());
    SnapshotReceiver before = receiver(pump, new SnapshotStore(tmp.resolve("f"),
        RaftLogging.slf4j()));
    int[] chunks = {0};
    sender.send(FOLLOWER, 3, 10, 1);
    // the follower dies after the third chunk: nothing more arrives
    run(pump, sender, before, c -> ++chunks[0] <= 3 ? c : null);
    long offsetAtCrash = before.nextOffset();
    assertThat(offsetAtCrash).isGreaterThan(2L * CHUNK);
    SnapshotReceiver after = receiver(pump, new SnapshotStore(tmp.resolve("f"),
        RaftLogging.slf4j()));
    List<Long> offsets = new ArrayList<>();
    clock.addAndGet(RESEND);
    sender.poll();
    run(pump, sender, after, c -> {
      offsets.add(c.offset());
      return c;
    });
    assertThat(received).hasSize(1);
    assertSameFiles(source, received.get(0));
    assertThat(offsets).as("nothing below the offset on disk is sent twice, except the one"
        + " chunk the sender re-sent before it heard the resume offset")
        .filteredOn(o -> o < offsetAtCrash).hasSizeLessThanOrEqualTo(1);
  }

  @Test
  void aFileThatDoesNotMatchItsManifestIsNeverPublished() throws Exception {
    Pump pump = new Pump();
    SnapshotStore leaderStore = new SnapshotStore(tmp.resolve("l"), RaftLogging.slf4j());
    LocalSnapshot source = snapshotOf(tmp.resolve("sm"), 10, leaderStore);
    // the leader's disk rots after the manifest was written
    Path kv = source.filesDirectory().resolve("kv.bin");
    byte[] bytes = Files.readAllBytes(kv);
    bytes[bytes.length - 1] ^= 1;
    Files.write(kv, bytes);
    SnapshotStore followerStore = new SnapshotStore(tmp.resolve("f"), RaftLogging.slf4j());
    SnapshotSender sender = new SnapshotSender(LEADER, leaderStore, pump, CHUNK, RESEND,
        20 * RESEND,
        () -> 0, RaftLogging.slf4j());
    SnapshotReceiver receiver = receiver(pump, followerStore);
    sender.send(FOLLOWER, 3, 10, 1);
    int[] chunks = {0};
    run(pump, sender, receiver, c -> ++chunks[0] < 40 ? c : null); // it restarts; stop it
    assertThat(received).isEmpty();
    assertThat(followerStore.newest()).isEmpty();
  }
}
