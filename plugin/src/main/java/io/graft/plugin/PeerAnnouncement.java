package io.graft.plugin;

import java.util.UUID;

/**
 * What a member announces about itself in every Raft handshake (and answers to a probe): its
 * Bolt address, so members added later are routable, and the identity of the database it
 * replicates, so that a new server adopts the cluster's identity before it creates its database
 * (element ids embed it) and a member with another identity is recognised. Encoded as
 * {@code <bolt>} or {@code <bolt> db=<uuid>}; a bare Bolt address (older members) still decodes.
 *
 * @param bolt the Bolt advertised address, or null
 * @param databaseId the replicated database's identity, or null
 */
record PeerAnnouncement(String bolt, UUID databaseId) {
  private static final String DB = " db=";

  String encode() {
    String b = bolt == null ? "" : bolt;
    return databaseId == null ? b : b + DB + databaseId;
  }

  static PeerAnnouncement decode(String info) {
    if (info == null || info.isBlank()) {
      return new PeerAnnouncement(null, null);
    }
    int at = info.indexOf(DB);
    if (at < 0) {
      return new PeerAnnouncement(info.trim(), null);
    }
    String bolt = info.substring(0, at).trim();
    UUID id;
    try {
      id = UUID.fromString(info.substring(at + DB.length()).trim());
    } catch (IllegalArgumentException e) {
      id = null; // a malformed announcement teaches nothing; it never breaks a connection
    }
    return new PeerAnnouncement(bolt.isEmpty() ? null : bolt, id);
  }

  /**
   * Null if a peer announcing {@code info} may be talked to by a member whose database has
   * identity {@code mine}; else the refusal reason. Unknown on either side (no identity
   * announced: an older member, or one whose database is not running) is admitted.
   */
  static String refusal(UUID mine, String member, String info) {
    UUID theirs = decode(info).databaseId();
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
