package io.graft.bridge.codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.neo4j.io.fs.InputStreamReadableChannel;
import org.neo4j.io.fs.OutputStreamWritableChannel;
import org.neo4j.storageengine.api.CommandReader;
import org.neo4j.storageengine.api.StorageCommand;

/**
 * Serializes Neo4j {@link StorageCommand}s with their own {@code serialize(WritableChannel)} and
 * reads them back with the storage engine's {@link CommandReader} for the entry's kernel version
 * (docs/NEO4J-INTERNALS.md §2.1). The byte layout is Neo4j's, the same as in its transaction log.
 */
public final class CommandCodec {
  private CommandCodec() {}

  /**
   * @param maxBytes stop and refuse as soon as the output would exceed this many bytes, so a huge
   *     transaction fails fast instead of allocating its whole image first
   */
  public static byte[] serialize(Iterable<StorageCommand> commands, long maxBytes, String limitName)
      throws IOException, EntryTooLargeException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
    BoundedOutputStream bounded = new BoundedOutputStream(bytes, maxBytes);
    try (OutputStreamWritableChannel channel = new OutputStreamWritableChannel(bounded)) {
      for (StorageCommand command : commands) {
        command.serialize(channel);
      }
    } catch (LimitExceeded e) {
      throw new EntryTooLargeException(
          "transaction too large to replicate: its commands exceed "
              + maxBytes
              + " bytes (setting "
              + limitName
              + "); split it into smaller transactions or raise the setting");
    }
    return bytes.toByteArray();
  }

  public static List<StorageCommand> deserialize(byte[] bytes, int count, CommandReader reader)
      throws IOException {
    List<StorageCommand> commands = new ArrayList<>(count);
    try (InputStreamReadableChannel channel =
        new InputStreamReadableChannel(new ByteArrayInputStream(bytes))) {
      for (int i = 0; i < count; i++) {
        StorageCommand command = reader.read(channel);
        if (command == null) {
          throw new IOException("command " + i + " of " + count + " could not be read");
        }
        commands.add(command);
      }
    }
    return commands;
  }

  /** Thrown inside the channel; an IOException subtype so Neo4j's serializers pass it through. */
  private static final class LimitExceeded extends IOException {
    LimitExceeded() {
      super("limit exceeded");
    }
  }

  private static final class BoundedOutputStream extends OutputStream {
    private final OutputStream delegate;
    private final long maxBytes;
    private long written;

    BoundedOutputStream(OutputStream delegate, long maxBytes) {
      this.delegate = delegate;
      this.maxBytes = maxBytes;
    }

    @Override
    public void write(int b) throws IOException {
      grow(1);
      delegate.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      grow(len);
      delegate.write(b, off, len);
    }

    private void grow(long n) throws LimitExceeded {
      written += n;
      if (written > maxBytes) {
        throw new LimitExceeded();
      }
    }
  }
}
