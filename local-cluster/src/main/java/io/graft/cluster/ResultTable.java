package io.graft.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.neo4j.driver.Record;
import org.neo4j.driver.Value;
import org.neo4j.driver.types.Node;
import org.neo4j.driver.types.Path;
import org.neo4j.driver.types.Relationship;
import org.neo4j.driver.types.TypeSystem;

/** A result as a text table, values written the way Cypher would write them back. */
final class ResultTable {
  private ResultTable() {}

  static String render(List<String> keys, List<Record> records) {
    if (keys.isEmpty()) {
      return "";
    }
    List<List<String>> rows = new ArrayList<>();
    for (Record r : records) {
      List<String> row = new ArrayList<>();
      for (String k : keys) {
        row.add(cypher(r.get(k)));
      }
      rows.add(row);
    }
    int[] width = new int[keys.size()];
    for (int i = 0; i < keys.size(); i++) {
      width[i] = keys.get(i).length();
      for (List<String> row : rows) {
        width[i] = Math.max(width[i], row.get(i).length());
      }
    }
    StringBuilder out = new StringBuilder();
    String rule = rule(width);
    out.append(rule).append(line(keys, width)).append(rule);
    for (List<String> row : rows) {
      out.append(line(row, width));
    }
    if (!rows.isEmpty()) {
      out.append(rule);
    }
    return out.toString();
  }

  private static String rule(int[] width) {
    StringBuilder b = new StringBuilder("+");
    for (int w : width) {
      b.append("-".repeat(w + 2)).append('+');
    }
    return b.append('\n').toString();
  }

  private static String line(List<String> cells, int[] width) {
    StringBuilder b = new StringBuilder("|");
    for (int i = 0; i < cells.size(); i++) {
      b.append(' ').append(cells.get(i)).append(" ".repeat(width[i] - cells.get(i).length()))
          .append(" |");
    }
    return b.append('\n').toString();
  }

  static String cypher(Value v) {
    TypeSystem t = TypeSystem.getDefault();
    if (v == null || v.isNull()) {
      return "NULL";
    }
    if (v.hasType(t.STRING())) {
      return "\"" + v.asString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
    if (v.hasType(t.NODE())) {
      Node n = v.asNode();
      StringBuilder b = new StringBuilder("(");
      n.labels().forEach(l -> b.append(':').append(l));
      return b.append(props(n.asMap(x -> x), n.labels().iterator().hasNext())).append(')')
          .toString();
    }
    if (v.hasType(t.RELATIONSHIP())) {
      Relationship r = v.asRelationship();
      return "[:" + r.type() + props(r.asMap(x -> x), true) + "]";
    }
    if (v.hasType(t.PATH())) {
      Path p = v.asPath();
      return "<path of " + p.length() + " relationships>";
    }
    if (v.hasType(t.LIST())) {
      return v.asList(ResultTable::cypher).stream().collect(Collectors.joining(", ", "[", "]"));
    }
    if (v.hasType(t.MAP())) {
      return props(v.asMap(x -> x), false).trim();
    }
    return v.toString();
  }

  private static String props(Map<String, Value> map, boolean space) {
    if (map.isEmpty()) {
      return space ? "" : "{}";
    }
    return map.entrySet().stream().map(e -> e.getKey() + ": " + cypher(e.getValue()))
        .collect(Collectors.joining(", ", space ? " {" : "{", "}"));
  }
}
