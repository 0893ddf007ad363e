package io.graft.bridge.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.bridge.model.TxEntry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.neo4j.internal.recordstorage.Command;
import org.neo4j.internal.recordstorage.RecordStorageCommandReaderFactory;
import org.neo4j.kernel.KernelVersion;
import org.neo4j.kernel.impl.store.record.NodeRecord;
import org.neo4j.storageengine.api.CommandReader;
import org.neo4j.storageengine.api.StorageCommand;
import org.neo4j.storageengine.api.StorageEngineFactory;

/**
 * Real Neo4j record commands survive {@link CommandCodec} and the {@link EntryCodec} frame around
 * them, read back with the storage engine's own reader for the kernel version
 * (docs/NEO4J-INTERNALS.md §2.1), and an oversized batch is refused naming the setting.
 */
class CommandCodecTest {
  private static final KernelVersion VERSION = KernelVersion.getLatestVersion(
      org.neo4j.configuration.Config.defaults());

  @Test
  void nodeCommandsRoundTripThroughTheEntryCodec() throws Exception {
    List<StorageCommand> commands = nodeCommands(50);
    byte[] bytes = CommandCodec.serialize(commands, Long.MAX_VALUE, "s");
    TxEntry tx = new TxEntry("a:1", 1, 1, VERSION.version(), 1, 2, 3, null, commands.size(), bytes);
    TxEntry back = (TxEntry) EntryCodec.decode(EntryCodec.encode(tx));

    CommandReader reader =
        StorageEngineFactory.defaultStorageEngine()
            .commandReaderFactory()
            .get(KernelVersion.getForVersion(back.kernelVersion()));
    List<StorageCommand> read = CommandCodec.deserialize(back.commands(), back.commandCount(), reader);

    assertThat(read).hasSize(50);
    for (int i = 0; i < 50; i++) {
      Command.NodeCommand original = (Command.NodeCommand) commands.get(i);
      Command.NodeCommand copy = (Command.NodeCommand) read.get(i);
      assertThat(copy.getKey()).isEqualTo(original.getKey());
      assertThat(copy.getAfter()).isEqualTo(original.getAfter());
      assertThat(copy.getBefore()).isEqualTo(original.getBefore());
    }
  }

  @Test
  void refusesABatchOverTheLimitNamingTheSetting() throws Exception {
    List<StorageCommand> commands = nodeCommands(1000);
    long size = CommandCodec.serialize(commands, Long.MAX_VALUE, "s").length;
    assertThatThrownBy(() -> CommandCodec.serialize(commands, size - 1, "server.raft.max_entry_size"))
        .isInstanceOf(EntryTooLargeException.class)
        .hasMessageContaining("server.raft.max_entry_size")
        .hasMessageContaining(String.valueOf(size - 1));
    assertThat(CommandCodec.serialize(commands, size, "s")).hasSize((int) size);
  }

  private static List<StorageCommand> nodeCommands(int n) {
    var serialization = RecordStorageCommandReaderFactory.INSTANCE.get(VERSION);
    List<StorageCommand> commands = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      NodeRecord before = new NodeRecord(i);
      NodeRecord after = new NodeRecord(i);
      after.initialize(true, -1, false, -1, 0);
      after.setCreated();
      commands.add(new Command.NodeCommand(serialization, before, after));
    }
    return commands;
  }
}
