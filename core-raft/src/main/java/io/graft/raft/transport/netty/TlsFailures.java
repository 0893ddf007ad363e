package io.graft.raft.transport.netty;

import io.netty.handler.codec.DecoderException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Turns a failed TLS handshake into a reason an operator can act on. The JDK's messages are
 * precise but cryptic ("PKIX path building failed", "Received fatal alert: bad_certificate"), and
 * each side of a refused handshake sees a different one: the side that distrusts the other's
 * certificate sees the certificate problem, the other side only the alert it was sent.
 */
final class TlsFailures {
  private TlsFailures() {}

  /** The TLS failure inside {@code cause} (Netty wraps it in a DecoderException), else null. */
  static SSLException tlsFailure(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof SSLException ssl) {
        return ssl;
      }
      if (!(t instanceof DecoderException)) {
        return null;
      }
    }
    return null;
  }

  /** Why this member could not open TLS to {@code peer}; its own policy is {@code tls}. */
  static String outbound(Throwable failure, String peer, String tls) {
    String detail = detail(failure);
    String lower = detail.toLowerCase(Locale.ROOT);
    if (untrusted(lower)) {
      return "the certificate of " + peer + " is not trusted by this member's " + tls
          + " (none of its trusted certificates signed it): " + detail;
    }
    if (lower.contains("no subject alternative") || lower.contains("no name matching")) {
      return "the certificate of " + peer + " does not name the address it was dialled at"
          + " (hostname verification is on in " + tls + "): " + detail;
    }
    if (rejectedByPeer(lower)) {
      return peer + " refused this member's certificate (" + detail + "): " + peer
          + " does not trust the CA that signed it, or this member presented none; see " + peer
          + "'s log";
    }
    if (expired(lower)) {
      return "a certificate on the link to " + peer + " has expired or is not yet valid: "
          + detail;
    }
    if (parametersMismatch(lower)) {
      return "this member and " + peer + " share no TLS version or cipher (check tls_versions"
          + " and ciphers of " + tls + " on both): " + detail;
    }
    if (failure instanceof java.nio.channels.ClosedChannelException
        || lower.contains("closed") && !lower.contains("alert")) {
      return peer + " closed the connection during the TLS handshake (its log says why)";
    }
    return "TLS handshake with " + peer + " failed: " + detail;
  }

  /**
   * Why a connecting peer was refused during the TLS handshake. Names no address: the caller's
   * log line does, and a peer that redials from new ports must repeat the same reason.
   */
  static String inbound(Throwable failure, String tls) {
    String detail = detail(failure);
    String lower = detail.toLowerCase(Locale.ROOT);
    if (lower.contains("empty client certificate") || lower.contains("null cert chain")
        || lower.contains("certificate_required")) {
      return "the peer presented no certificate signed by a CA this member"
          + " trusts (a TLS client sends none when none of its own was), and " + tls
          + " requires one from every member: " + detail;
    }
    if (untrusted(lower)) {
      return "the certificate of the peer is not trusted by this member's "
          + tls + " (none of its trusted certificates signed it): " + detail;
    }
    if (rejectedByPeer(lower)) {
      return "the peer refused this member's certificate (" + detail
          + "): it does not trust the CA that signed it; see its log";
    }
    if (expired(lower)) {
      return "the peer presented an expired or not yet valid certificate: "
          + detail;
    }
    if (parametersMismatch(lower)) {
      return "the peer shares no TLS version or cipher with this member (check"
          + " tls_versions and ciphers of " + tls + " on both): " + detail;
    }
    return "TLS handshake with the peer failed: " + detail;
  }

  private static boolean untrusted(String lower) {
    return lower.contains("pkix path") || lower.contains("unable to find valid certification")
        || lower.contains("signature check failed") || lower.contains("certpath");
  }

  private static boolean rejectedByPeer(String lower) {
    return lower.contains("fatal alert: certificate_unknown")
        || lower.contains("fatal alert: bad_certificate")
        || lower.contains("fatal alert: unknown_ca")
        || lower.contains("fatal alert: certificate_required")
        || lower.contains("fatal alert: access_denied");
  }

  private static boolean expired(String lower) {
    return lower.contains("expired") || lower.contains("not yet valid");
  }

  private static boolean parametersMismatch(String lower) {
    return lower.contains("no appropriate protocol") || lower.contains("protocol_version")
        || lower.contains("no cipher suites in common") || lower.contains("handshake_failure")
        || lower.contains("insufficient_security");
  }

  /** The innermost message: the JDK nests "PKIX path building failed" two levels deep. */
  private static String detail(Throwable failure) {
    String first = failure.getMessage();
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String last = root.getMessage();
    if (first == null) {
      return last == null ? failure.getClass().getSimpleName() : last;
    }
    return last == null || first.contains(last) ? first : first + " (" + last + ")";
  }
}
