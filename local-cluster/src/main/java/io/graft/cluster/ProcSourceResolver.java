package io.graft.cluster;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Finds the member behind an accepted loopback connection from Linux's {@code /proc}: the
 * client end of the connection is the socket whose local port is the accepted socket's remote
 * port and whose remote port is the proxy's port; its inode is then looked up among the open
 * files of each member's process. This needs no help from the transport (every member connects
 * from 127.0.0.1), at the price of being Linux-only.
 */
public final class ProcSourceResolver implements SourceResolver {
  private static final List<Path> TABLES =
      List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

  private final Supplier<Map<Long, Integer>> memberByPid;

  /** @param memberByPid current pid → 1-based member index (pids change on restart) */
  public ProcSourceResolver(Supplier<Map<Long, Integer>> memberByPid) {
    this.memberByPid = memberByPid;
  }

  @Override
  public OptionalInt memberOf(Socket accepted) {
    OptionalLong inode = clientInode(accepted.getPort(), accepted.getLocalPort());
    if (inode.isEmpty()) {
      return OptionalInt.empty();
    }
    String link = "socket:[" + inode.getAsLong() + "]";
    for (Map.Entry<Long, Integer> member : memberByPid.get().entrySet()) {
      if (ownsSocket(member.getKey(), link)) {
        return OptionalInt.of(member.getValue());
      }
    }
    return OptionalInt.empty();
  }

  /** The inode of the socket with local port {@code clientPort}, remote port {@code serverPort}. */
  static OptionalLong clientInode(int clientPort, int serverPort) {
    for (Path table : TABLES) {
      try {
        for (String line : Files.readAllLines(table)) {
          OptionalLong inode = matchLine(line, clientPort, serverPort);
          if (inode.isPresent()) {
            return inode;
          }
        }
      } catch (IOException e) {
        // tcp6 may be absent when IPv6 is disabled: try the next table.
      }
    }
    return OptionalLong.empty();
  }

  static OptionalLong matchLine(String line, int clientPort, int serverPort) {
    String[] fields = line.trim().split("\\s+");
    if (fields.length < 10 || !fields[1].contains(":") || !fields[2].contains(":")) {
      return OptionalLong.empty();
    }
    try {
      int local = Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1), 16);
      int remote = Integer.parseInt(fields[2].substring(fields[2].indexOf(':') + 1), 16);
      if (local == clientPort && remote == serverPort) {
        return OptionalLong.of(Long.parseLong(fields[9]));
      }
    } catch (NumberFormatException e) {
      return OptionalLong.empty(); // the header line
    }
    return OptionalLong.empty();
  }

  private static boolean ownsSocket(long pid, String link) {
    Path fds = Path.of("/proc", Long.toString(pid), "fd");
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(fds)) {
      for (Path fd : entries) {
        try {
          if (link.equals(Files.readSymbolicLink(fd).toString())) {
            return true;
          }
        } catch (IOException e) {
          // the descriptor closed while we looked: not ours
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }
}
