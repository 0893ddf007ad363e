package io.graft.raft.protocol.membership;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Membership;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The payload of a CONFIGURATION entry: the full configuration (voters and learners), never a
 * delta, so that a member needs only the latest entry (thesis §4.1). Part of the disk and wire
 * format: the version byte is explicit and old versions stay readable forever.
 *
 * <pre>
 *   version 1: [u8 version=1][u16 voterCount]{[u16 len][utf-8 id]}*[u16 learnerCount]{…}*
 *   version 2: version 1's fields, then [u64 epoch]
 * </pre>
 *
 * A configuration of the founding epoch (every one before a forced re-formation) is written as
 * version 1, byte for byte as before epochs existed; only a re-formed cluster's carry version 2.
 */
public final class ConfigurationCodec {
  /** Voters and learners; the epoch is {@link Membership#FOUNDING_EPOCH}. Never reuse a number. */
  public static final int VERSION_1 = 1;
  /** Version 1 plus the cluster epoch (after {@code forceNewCluster}). */
  public static final int VERSION_2 = 2;

  private ConfigurationCodec() {}

  public static byte[] encode(Configuration configuration) {
    List<byte[]> voters = utf8(configuration.voters());
    List<byte[]> learners = utf8(configuration.learners());
    boolean founding = configuration.epoch() == Membership.FOUNDING_EPOCH
        || configuration.epoch() == Membership.NO_EPOCH;
    int size = 1 + 2 + 2 + (founding ? 0 : 8);
    for (byte[] b : voters) {
      size += 2 + b.length;
    }
    for (byte[] b : learners) {
      size += 2 + b.length;
    }
    byte[] out = new byte[size];
    int[] pos = {0};
    out[pos[0]++] = (byte) (founding ? VERSION_1 : VERSION_2);
    writeIds(out, pos, voters);
    writeIds(out, pos, learners);
    if (!founding) {
      long epoch = configuration.epoch();
      for (int shift = 56; shift >= 0; shift -= 8) {
        out[pos[0]++] = (byte) (epoch >>> shift);
      }
    }
    return out;
  }

  public static Configuration decode(byte[] payload) {
    if (payload == null || payload.length < 5) {
      throw new IllegalArgumentException(
          "configuration payload too short: " + (payload == null ? "null" : payload.length));
    }
    int version = payload[0] & 0xFF;
    if (version != VERSION_1 && version != VERSION_2) {
      throw new IllegalArgumentException("unknown configuration format version " + version);
    }
    int[] pos = {1};
    List<MemberId> voters = readIds(payload, pos);
    List<MemberId> learners = readIds(payload, pos);
    long epoch = voters.isEmpty() ? Membership.NO_EPOCH : Membership.FOUNDING_EPOCH;
    if (version == VERSION_2) {
      if (pos[0] + 8 > payload.length) {
        throw new IllegalArgumentException("configuration payload truncated at byte " + pos[0]);
      }
      epoch = 0;
      for (int i = 0; i < 8; i++) {
        epoch = (epoch << 8) | (payload[pos[0]++] & 0xFF);
      }
    }
    if (pos[0] != payload.length) {
      throw new IllegalArgumentException(
          "configuration payload has " + (payload.length - pos[0]) + " trailing bytes");
    }
    return new Configuration(new java.util.TreeSet<>(voters), new java.util.TreeSet<>(learners),
        epoch);
  }

  private static List<byte[]> utf8(Iterable<MemberId> ids) {
    List<byte[]> out = new ArrayList<>();
    for (MemberId id : ids) {
      out.add(id.value().getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  private static void writeIds(byte[] out, int[] pos, List<byte[]> ids) {
    writeU16(out, pos, ids.size());
    for (byte[] id : ids) {
      writeU16(out, pos, id.length);
      System.arraycopy(id, 0, out, pos[0], id.length);
      pos[0] += id.length;
    }
  }

  private static List<MemberId> readIds(byte[] in, int[] pos) {
    int count = readU16(in, pos);
    List<MemberId> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int len = readU16(in, pos);
      if (pos[0] + len > in.length) {
        throw new IllegalArgumentException("configuration payload truncated at byte " + pos[0]);
      }
      out.add(MemberId.of(new String(in, pos[0], len, StandardCharsets.UTF_8)));
      pos[0] += len;
    }
    return out;
  }

  private static void writeU16(byte[] out, int[] pos, int value) {
    out[pos[0]++] = (byte) (value >>> 8);
    out[pos[0]++] = (byte) value;
  }

  private static int readU16(byte[] in, int[] pos) {
    if (pos[0] + 2 > in.length) {
      throw new IllegalArgumentException("configuration payload truncated at byte " + pos[0]);
    }
    int v = ((in[pos[0]] & 0xFF) << 8) | (in[pos[0] + 1] & 0xFF);
    pos[0] += 2;
    return v;
  }
}
