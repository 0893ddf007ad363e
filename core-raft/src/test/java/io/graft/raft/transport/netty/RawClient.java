package io.graft.raft.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.graft.raft.api.MemberId;
import io.graft.raft.transport.MessageCodec;
import io.graft.raft.transport.WireMessage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A plain blocking socket that speaks (or deliberately breaks) the frame protocol, to test how a
 * transport's server treats a hostile or outdated client. Reads time out after 10 s.
 */
final class RawClient implements AutoCloseable {
  private final Socket socket;
  private final MessageCodec codec = new MessageCodec();

  RawClient(int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    socket.setSoTimeout(10_000);
  }

  /** Over a socket the caller connected (e.g. a TLS socket whose handshake succeeded). */
  RawClient(Socket connected) throws IOException {
    socket = connected;
    socket.setSoTimeout(10_000);
  }

  void write(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
  }

  void send(WireMessage message) throws IOException {
    write(FrameFormat.frame(codec.encode(message)));
  }

  void handshake(String clusterId, String member) throws IOException {
    send(new WireMessage.Handshake(MessageCodec.PROTOCOL_VERSION, clusterId, MemberId.of(member)));
  }

  WireMessage readFrame() throws IOException {
    DataInputStream in = new DataInputStream(socket.getInputStream());
    int length = in.readInt();
    int crc = in.readInt();
    byte[] payload = new byte[length];
    in.readFully(payload);
    assertThat(FrameFormat.crc32c(payload)).isEqualTo(crc);
    return codec.decode(payload);
  }

  /** Asserts the server closes the connection (EOF or reset) within the read timeout. */
  void awaitClosedByServer() throws IOException {
    InputStream in = socket.getInputStream();
    byte[] buf = new byte[4096];
    try {
      while (in.read(buf) >= 0) {
        // discard anything the server wrote before closing
      }
    } catch (SocketTimeoutException e) {
      fail("server did not close the connection within 10 s");
    } catch (IOException reset) {
      // "Connection reset": the server closed with our bytes still unread; closed all the same.
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
