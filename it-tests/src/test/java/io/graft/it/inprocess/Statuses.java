package io.graft.it.inprocess;

import java.util.ArrayList;
import java.util.List;
import org.neo4j.graphdb.QueryExecutionException;
import org.neo4j.kernel.api.exceptions.Status;

/** Neo4j status codes found anywhere in an exception's cause chain. */
final class Statuses {
  private Statuses() {}

  static List<String> codes(Throwable t) {
    List<String> codes = new ArrayList<>();
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof Status.HasStatus hs) {
        codes.add(hs.status().code().serialize());
      }
      if (c instanceof QueryExecutionException q) {
        codes.add(q.getStatusCode());
      }
    }
    return codes;
  }

  /** Every message in the cause chain, one per line. */
  static String messages(Throwable t) {
    StringBuilder out = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      out.append(c.getMessage()).append('\n');
    }
    return out.toString();
  }
}
