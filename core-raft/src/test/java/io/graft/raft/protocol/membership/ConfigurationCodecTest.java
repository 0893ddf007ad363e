package io.graft.raft.protocol.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.MemberId;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The CONFIGURATION payload is disk and wire format: exact bytes, versions, hostile input. */
class ConfigurationCodecTest {
  private static final MemberId A = MemberId.of("10.0.0.1:7000");
  private static final MemberId B = MemberId.of("b");
  private static final MemberId C = MemberId.of("ç-ünïcode");

  @Test
  void roundTripsVotersAndLearners() {
    Configuration c = new Configuration(Set.of(A, B), Set.of(C));
    assertThat(ConfigurationCodec.decode(ConfigurationCodec.encode(c))).isEqualTo(c);
  }

  @Test
  void pinsTheVersionOneLayout() {
    byte[] bytes = ConfigurationCodec.encode(Configuration.ofVoters(Set.of(B)));
    assertThat(bytes).containsExactly(1, 0, 1, 0, 1, 'b', 0, 0);
  }

  @Test
  void refusesUnknownVersionTruncationAndTrailingBytes() {
    byte[] good = ConfigurationCodec.encode(new Configuration(Set.of(A), Set.of(B)));
    byte[] version = good.clone();
    version[0] = 3;
    assertThatThrownBy(() -> ConfigurationCodec.decode(version))
        .hasMessageContaining("version 3");
    for (int cut = 0; cut < good.length; cut++) {
      byte[] shorter = Arrays.copyOf(good, cut);
      assertThatThrownBy(() -> ConfigurationCodec.decode(shorter))
          .isInstanceOf(IllegalArgumentException.class);
    }
    byte[] longer = Arrays.copyOf(good, good.length + 1);
    assertThatThrownBy(() -> ConfigurationCodec.decode(longer)).hasMessageContaining("trailing");
  }

  @Test
  void aForcedConfigurationCarriesItsEpochInVersionTwo() {
    Configuration forced = Configuration.forced(A, 0x1234_5678_9abc_def0L).withLearner(B);
    byte[] bytes = ConfigurationCodec.encode(forced);
    assertThat(bytes[0]).isEqualTo((byte) 2);
    assertThat(Arrays.copyOfRange(bytes, bytes.length - 8, bytes.length))
        .containsExactly(0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0);
    assertThat(ConfigurationCodec.decode(bytes)).isEqualTo(forced);
    assertThat(ConfigurationCodec.decode(bytes).epoch()).isEqualTo(0x1234_5678_9abc_def0L);
    // Version 1 (every log written before epochs) is the founding epoch.
    assertThat(ConfigurationCodec.decode(new byte[] {1, 0, 1, 0, 1, 'b', 0, 0}).epoch())
        .isEqualTo(io.graft.raft.api.Membership.FOUNDING_EPOCH);
    for (int cut = 1; cut <= 8; cut++) {
      byte[] shorter = Arrays.copyOf(bytes, bytes.length - cut);
      assertThatThrownBy(() -> ConfigurationCodec.decode(shorter))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void epochsFollowChangesAndOnlyAFreshOneCanBeForced() {
    Configuration forced = Configuration.forced(A, 7);
    assertThat(forced.withLearner(B).promote(B).without(A).epoch()).isEqualTo(7);
    assertThat(Configuration.ofVoters(Set.of(A)).epoch())
        .isEqualTo(io.graft.raft.api.Membership.FOUNDING_EPOCH);
    assertThat(Configuration.EMPTY.epoch()).isZero();
    assertThatThrownBy(() -> Configuration.forced(A, 1)).hasMessageContaining("fresh epoch");
    assertThatThrownBy(() -> Configuration.forced(A, 0)).hasMessageContaining("fresh epoch");
    assertThatThrownBy(() -> new Configuration(Set.of(A), Set.of(), 0))
        .hasMessageContaining("epoch 0");
  }

  @Test
  void configurationRulesHold() {
    assertThatThrownBy(() -> new Configuration(Set.of(A), Set.of(A)))
        .hasMessageContaining("both voter and learner");
    assertThatThrownBy(() -> new Configuration(Set.of(), Set.of(A)))
        .hasMessageContaining("without any voter");
    Configuration c = Configuration.ofVoters(Set.of(A)).withLearner(B);
    assertThat(c.isLearner(B)).isTrue();
    assertThat(c.promote(B)).isEqualTo(Configuration.ofVoters(Set.of(A, B)));
    assertThat(c.without(B)).isEqualTo(Configuration.ofVoters(Set.of(A)));
    assertThat(Configuration.EMPTY.majority().quorum()).isEqualTo(1);
    assertThat(Configuration.EMPTY.majority().committedIndex(id -> 5)).isZero();
  }
}
