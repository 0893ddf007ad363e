package io.graft.raft.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.MemberId;
import io.graft.raft.message.ChangeRequest;
import io.graft.raft.message.ChangeResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The forwarded membership messages: pinned type and operation codes, round trips, strictness. */
class ForwardingCodecTest {
  private final MessageCodec codec = new MessageCodec();
  private final MemberId a = MemberId.of("10.0.0.1:7000");
  private final MemberId b = MemberId.of("10.0.0.2:7000");

  @Test
  void typeAndOperationCodesArePinned() {
    assertThat(MessageCodec.typeCode(new ChangeRequest(a, 1, 1, ChangeRequest.Operation.ADD_MEMBER, b)))
        .isEqualTo(10);
    assertThat(MessageCodec.typeCode(changeResponse(null))).isEqualTo(11);
    assertThat(ChangeRequest.Operation.ADD_MEMBER.code()).isEqualTo(1);
    assertThat(ChangeRequest.Operation.REMOVE_MEMBER.code()).isEqualTo(2);
    assertThat(ChangeRequest.Operation.TRANSFER_LEADERSHIP.code()).isEqualTo(3);
  }

  @Test
  void roundTrips() {
    for (ChangeRequest.Operation op : ChangeRequest.Operation.values()) {
      ChangeRequest req = new ChangeRequest(a, 3, 42, op, b);
      assertThat(decode(codec.encode(req))).isEqualTo(req);
    }
    assertThat(decode(codec.encode(changeResponse(null)))).isEqualTo(changeResponse(null));
    assertThat(decode(codec.encode(changeResponse(b)))).isEqualTo(changeResponse(b));
  }

  @Test
  void refusesUnknownOperationAndTruncation() {
    byte[] bytes = codec.encode(new ChangeRequest(a, 1, 1, ChangeRequest.Operation.ADD_MEMBER, b));
    int opOffset = 2 + 2 + a.value().length() + 8 + 8;
    bytes[opOffset] = 9;
    assertThatThrownBy(() -> codec.decode(bytes)).isInstanceOf(CodecException.class);
    byte[] response = codec.encode(changeResponse(b));
    byte[] cut = java.util.Arrays.copyOf(response, response.length - 1);
    assertThatThrownBy(() -> codec.decode(cut)).isInstanceOf(CodecException.class);
  }

  private ChangeResponse changeResponse(MemberId leader) {
    return new ChangeResponse(
        a, 2, 42, leader == null ? "" : "NOT_LEADER", "detail", leader, 17, List.of(a, b),
        List.of());
  }

  private Object decode(byte[] bytes) {
    return ((WireMessage.Raft) codec.decode(bytes)).message();
  }
}
