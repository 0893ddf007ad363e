package io.graft.raft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Membership;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PeerAddressesTest {
  private static final MemberId SELF = MemberId.of("10.0.0.1:7000");
  private static final MemberId B = MemberId.of("10.0.0.2:7000");
  private static final MemberId C = MemberId.of("[::1]:7003");
  private static final MemberId NAMED = MemberId.of("m4");

  @Test
  void addsMembersWhoseIdIsAnAddressAndKeepsConfiguredOnes() {
    Map<MemberId, String> configured = Map.of(B, "b.internal:7000");
    Membership m = new Membership(5, Set.of(SELF, B), Set.of(C, NAMED));
    assertThat(PeerAddresses.withMembers(SELF, configured, m))
        .containsExactlyInAnyOrderEntriesOf(Map.of(B, "b.internal:7000", C, "[::1]:7003"));
  }

  @Test
  void nothingNewMeansNoUpdate() {
    Membership m = new Membership(5, Set.of(SELF, B), Set.of(NAMED));
    assertThat(PeerAddresses.withMembers(SELF, Map.of(B, "x:1"), m)).isNull();
  }
}
