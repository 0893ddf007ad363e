package io.graft.raft.sim;

import io.graft.raft.message.LogEntry;

/**
 * Deterministic 64-bit hashes for the simulator: entry digests, rolling log-prefix hashes (so Log
 * Matching is one comparison per index instead of a walk over two logs) and the run's trace hash.
 * Never uses {@code Object.hashCode} of enums or arrays, which differ between JVM runs.
 */
final class Hashing {
  private Hashing() {}

  /** SplitMix64 finalizer: a cheap, well-mixing bijection on 64 bits. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  static long combine(long accumulator, long value) {
    return mix(accumulator * 0x9E3779B97F4A7C15L + value);
  }

  /** FNV-1a over the payload bytes, then mixed. */
  static long bytes(byte[] data) {
    long h = 0xcbf29ce484222325L;
    for (byte b : data) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return mix(h ^ data.length);
  }

  /** Digest of one entry: term, index, type code and payload. */
  static long entry(LogEntry e) {
    long h = combine(e.term(), e.index());
    h = combine(h, e.type().code());
    return combine(h, bytes(e.payload()));
  }

  /** Rolling prefix hash: the hash of entries 1..i given the hash of 1..i-1. */
  static long prefix(long previousPrefix, LogEntry e) {
    return combine(previousPrefix ^ 0x5bd1e995L, entry(e));
  }

  static long string(String s) {
    long h = 0;
    for (int i = 0; i < s.length(); i++) {
      h = h * 31 + s.charAt(i);
    }
    return mix(h);
  }
}
