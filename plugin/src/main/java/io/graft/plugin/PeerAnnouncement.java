package io.graft.plugin;

import java.util.UUID;

/**
 * The identity of the replicated database in what a member announces about itself in every Raft
 * handshake (and answers to a probe), beside its Bolt address and HTTP URL ({@code
 * BoltAddressBook#announcement}): a whitespace-separated token {@code db=<uuid>}, which the
 * address book ignores. A new server adopts this identity before it creates its database
 * ({@link JoinerIdentity}; element ids embed it), and a member announcing another identity is
 * refused ({@link #refusal}).
 */
final class PeerAnnouncement {
  private static final String DB = "db=";

  private PeerAnnouncement() {}

  /** {@code base} (the address book's announcement) plus the identity token, if any. */
  static String encode(String base, UUID databaseId) {
    String b = base == null ? "" : base.trim();
    if (databaseId == null) {
      return b;
    }
    return (b.isEmpty() ? "" : b + " ") + DB + databaseId;
  }

  /** The identity announced in {@code info}, or null (none, or malformed: never fatal). */
  static UUID databaseId(String info) {
    if (info == null) {
      return null;
    }
    for (String token : info.trim().split("\\s+")) {
      if (token.startsWith(DB)) {
        try {
          return UUID.fromString(token.substring(DB.length()));
        } catch (IllegalArgumentException e) {
          return null;
        }
      }
    }
    return null;
  }

  /**
   * Null if a peer announcing {@code info} may be talked to by a member whose database has
   * identity {@code mine}; else the refusal reason. Unknown on either side (no identity
   * announced: an older member, or one whose database is not running) is admitted.
   */
  static String refusal(UUID mine, String member, String info) {
    UUID theirs = databaseId(info);
    if (mine == null || theirs == null || mine.equals(theirs)) {
      return null;
    }
    return "member " + member + " replicates a database with identity " + theirs + ", this member"
        + " one with identity " + mine + ": their element ids differ, so they are not one"
        + " cluster. A server joins a cluster on an EMPTY data/ folder, with the cluster's members"
        + " in server.raft.initial_members (it then takes the cluster's identity); a cluster made"
        + " from an existing database is seeded by ONE server (README \"Moving an existing"
        + " database onto graft\")";
  }
}
