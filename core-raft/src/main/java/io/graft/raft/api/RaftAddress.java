package io.graft.raft.api;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A {@code host:port} address: where a member's Raft transport listens or is reached, and the
 * Bolt addresses members announce to each other. The ONE parser of host:port text in graft: the
 * transport, the runtime, the plugin's settings and routing, and the {@code raft.*} procedures all
 * read addresses through {@link #parse}, so they accept and refuse the same text with the same
 * reasons.
 *
 * <p>Syntax: {@code host:port} or {@code [ipv6]:port}; surrounding blanks are ignored; the host has
 * no blanks and no {@code /}; an IPv6 host must be in brackets; the port is decimal, 1..65535
 * ({@link #parseListen} also takes 0, "any free port", for an address to bind). The host is kept
 * without brackets; {@link #toString()} writes the canonical form back ({@code [::1]:7000},
 * {@code 10.0.0.1:7000}), which is what a member's id is made of.
 */
public record RaftAddress(String host, int port) {
  private static final int PORT_MAX = 65535;
  /** Decimal digits, a minus sign allowed so that "-1" is reported as out of range. */
  private static final Pattern PORT = Pattern.compile("-?[0-9]{1,9}");

  /** Checks the parts; the host is given without brackets. */
  public RaftAddress {
    Objects.requireNonNull(host, "host");
    String problem = hostProblem(host);
    if (problem != null) {
      throw new MalformedAddressException(host + ":" + port, problem);
    }
    if (port < 0 || port > PORT_MAX) {
      throw new MalformedAddressException(host + ":" + port, "port out of range 0..65535");
    }
  }

  /**
   * Parses an address others connect to: port 1..65535.
   *
   * @throws MalformedAddressException naming the text and why it is not an address
   */
  public static RaftAddress parse(String text) {
    return parse(text, 1);
  }

  /** Parses an address to bind: as {@link #parse}, but port 0 (any free port) is allowed. */
  public static RaftAddress parseListen(String text) {
    return parse(text, 0);
  }

  /** The address, or empty when {@code text} is not one ({@link #parse}'s rules). */
  public static Optional<RaftAddress> tryParse(String text) {
    try {
      return Optional.of(parse(text));
    } catch (MalformedAddressException e) {
      return Optional.empty();
    }
  }

  /** True for an address no other member can reach: {@code 0.0.0.0} or {@code ::}. */
  public boolean isWildcard() {
    return host.equals("0.0.0.0") || host.equals("::");
  }

  /** The member id of the member advertising this address (ids are advertised addresses). */
  public MemberId memberId() {
    return MemberId.of(toString());
  }

  /** {@code host:port}, with an IPv6 host in brackets: parses back to an equal address. */
  @Override
  public String toString() {
    return format(host, port);
  }

  /**
   * The text of {@code host} and {@code port} as {@link #toString()} writes it, without checking
   * them (for parts another parser produced, e.g. Neo4j's settings, checked later with {@link
   * #parse}).
   */
  public static String format(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private static RaftAddress parse(String text, int portMin) {
    if (text == null || text.isBlank()) {
      throw new MalformedAddressException(String.valueOf(text), "empty");
    }
    String v = text.trim();
    int colon = v.lastIndexOf(':');
    if (colon <= 0 || colon == v.length() - 1) {
      throw new MalformedAddressException(v, "no host:port");
    }
    String portText = v.substring(colon + 1);
    if (!PORT.matcher(portText).matches()) {
      throw new MalformedAddressException(v, "port is not a number");
    }
    int port = Integer.parseInt(portText);
    if (port < portMin || port > PORT_MAX) {
      throw new MalformedAddressException(v, "port out of range " + portMin + "..65535");
    }
    String host = v.substring(0, colon);
    if (host.chars().anyMatch(Character::isWhitespace) || host.contains("/")) {
      throw new MalformedAddressException(v, "host contains spaces or '/'");
    }
    boolean bracketed = host.startsWith("[") && host.endsWith("]");
    if (host.contains(":") && !bracketed) {
      throw new MalformedAddressException(v, "IPv6 hosts need [brackets]");
    }
    if (bracketed) {
      host = host.substring(1, host.length() - 1);
    }
    String problem = hostProblem(host);
    if (problem != null) {
      throw new MalformedAddressException(v, problem);
    }
    return new RaftAddress(host, port);
  }

  /** Why {@code host} (without brackets) cannot be a host, or null. */
  private static String hostProblem(String host) {
    if (host.isBlank()) {
      return "no host:port";
    }
    if (host.chars().anyMatch(Character::isWhitespace) || host.contains("/")) {
      return "host contains spaces or '/'";
    }
    if (host.contains("[") || host.contains("]")) {
      return "brackets only around a whole IPv6 host";
    }
    return null;
  }

  /** Text that is not a {@code host:port} address; {@link #reason()} says why. */
  public static final class MalformedAddressException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String input;
    private final String reason;

    public MalformedAddressException(String input, String reason) {
      super("'" + input + "' is not a host:port address (" + reason + ")");
      this.input = input;
      this.reason = reason;
    }

    /** The text as given (trimmed). */
    public String input() {
      return input;
    }

    /** Why it is not an address, e.g. {@code port out of range 1..65535}. */
    public String reason() {
      return reason;
    }
  }
}
