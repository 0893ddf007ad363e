package io.graft.bridge.codec;

import org.neo4j.common.Subject;

/**
 * The committing subject as a string for {@code TxEntry.subjectUsername}: a user name as is, or
 * one of Neo4j's built-in subjects by a reserved marker (they refuse {@code getUsername()}, e.g.
 * with authentication disabled). Only metadata: applies never depend on it.
 */
public final class SubjectCodec {
  private static final String SYSTEM = "\u0000system";
  private static final String AUTH_DISABLED = "\u0000auth-disabled";
  private static final String ANONYMOUS = "\u0000anonymous";

  private SubjectCodec() {}

  public static String encode(Subject subject) {
    if (subject == null || subject == Subject.SYSTEM) {
      return SYSTEM;
    }
    if (subject == Subject.AUTH_DISABLED) {
      return AUTH_DISABLED;
    }
    if (subject == Subject.ANONYMOUS) {
      return ANONYMOUS;
    }
    try {
      return subject.getUsername();
    } catch (RuntimeException e) {
      return SYSTEM;
    }
  }

  public static Subject decode(String encoded) {
    if (encoded == null || SYSTEM.equals(encoded)) {
      return Subject.SYSTEM;
    }
    if (AUTH_DISABLED.equals(encoded)) {
      return Subject.AUTH_DISABLED;
    }
    if (ANONYMOUS.equals(encoded)) {
      return Subject.ANONYMOUS;
    }
    return new Subject(encoded);
  }
}
