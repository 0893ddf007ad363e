package io.graft.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.MemberId;
import io.graft.raft.protocol.RaftConfig;
import io.graft.raft.runtime.NodeAssembly;
import io.graft.raft.transport.netty.NettyTransportConfig;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.neo4j.configuration.Config;
import org.neo4j.configuration.helpers.SocketAddress;

/**
 * server.raft.max_entry_size is raisable to 1 GiB and everything downstream follows it: the
 * runtime's appendBytesMax (proposal refusal), the leader's uncommittedBytesMax (back-pressure)
 * and the transport's frame limit all admit one entry of that size plus its envelope.
 */
class MaxEntrySizeLimitsTest {

  private static Config.Builder base() {
    return Config.newBuilder()
        .set(RaftSettings.enabled, true)
        .set(RaftSettings.listen_address, new SocketAddress("10.0.0.1", 7000))
        .set(RaftSettings.initial_members, List.of(new SocketAddress("10.0.0.1", 7000)));
  }

  private static RaftNodeSpec spec(RaftPluginConfig c) {
    return new RaftNodeSpec(c.clusterId(), MemberId.of(c.self()), c.listenAddress(),
        List.of(MemberId.of(c.self())), c.raftDirectory(), c.electionTimeout(),
        c.heartbeatInterval(), null, c.snapshotIntervalEntries(), c.logRetainedEntries(),
        c.maxEntrySize());
  }

  private static void assertEverythingAdmits(RaftNodeSpec spec, long entryBytes) {
    long entry = entryBytes + CoreRaftNodeFactory.ENTRY_ENVELOPE_BYTES;
    RaftConfig raft = NodeAssembly.raftConfig(CoreRaftNodeFactory.setup(spec));
    assertThat(raft.appendBytesMax()).isGreaterThanOrEqualTo(entry);
    assertThat(raft.uncommittedBytesMax()).isGreaterThanOrEqualTo(entry);
    NettyTransportConfig transport =
        NodeAssembly.transportConfig(CoreRaftNodeFactory.setup(spec));
    // An AppendEntries of appendBytesMax entry bytes plus its headers fits in one frame.
    assertThat((long) transport.maxFrameBytes())
        .isGreaterThanOrEqualTo(raft.appendBytesMax() + NettyTransportConfig.FRAME_HEADROOM_BYTES);
  }

  @Test
  void theDefaultAdmitsA200kNodeTransactionAndEveryLimitFollowsIt() {
    RaftPluginConfig c = RaftPluginConfig.from(base().build());
    // 200,000 nodes with two properties: 21.4 MiB of Raft log (BigTransactionIT), 40 MB in the
    // issue's estimate; the default leaves 3x room even over the estimate.
    assertThat(c.maxEntrySize()).isEqualTo(128L << 20).isGreaterThan(3L * 40_000_000);
    assertEverythingAdmits(spec(c), c.maxEntrySize());
    // The defaults of core-raft stay the floor for small settings (batching is unchanged).
    RaftPluginConfig small = RaftPluginConfig.from(base()
        .set(RaftSettings.max_entry_size, 1L << 20).build());
    RaftConfig raft = NodeAssembly.raftConfig(CoreRaftNodeFactory.setup(spec(small)));
    assertThat(raft.appendBytesMax()).isEqualTo(RaftConfig.defaults().appendBytesMax());
    assertThat(raft.uncommittedBytesMax()).isEqualTo(RaftConfig.defaults().uncommittedBytesMax());
  }

  @Test
  void raisableToOneGibibyteButNotBeyond() {
    RaftPluginConfig max = RaftPluginConfig.from(base()
        .set(RaftSettings.max_entry_size, 1L << 30).build());
    assertEverythingAdmits(spec(max), 1L << 30);
    assertThat(NodeAssembly.transportConfig(CoreRaftNodeFactory.setup(spec(max))).maxFrameBytes())
        .isEqualTo(NettyTransportConfig.MAX_FRAME_BYTES_LIMIT);
    RaftPluginConfig mid = RaftPluginConfig.from(base()
        .set(RaftSettings.max_entry_size, 300L << 20).build());
    assertEverythingAdmits(spec(mid), 300L << 20);
    assertThatThrownBy(() -> RaftPluginConfig.from(base()
            .set(RaftSettings.max_entry_size, (1L << 30) + 1).build()))
        .hasMessageContaining("server.raft.max_entry_size must be between 1KiB and 1GiB");
  }
}
