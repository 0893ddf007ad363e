package io.graft.it.monitoring;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of Prometheus' text exposition format 0.0.4, for tests: it rejects what a
 * Prometheus server would reject or silently mangle. Checked: line grammar (metric and label
 * names, quoted and escaped label values, float values with NaN/+Inf/-Inf, optional integer
 * timestamp); at most one HELP and one TYPE per family, TYPE before the family's first sample;
 * every family's samples in one contiguous group; no duplicate series and no duplicate label
 * names; counters (named {@code *_total}) never negative; histograms with {@code _bucket},
 * {@code _sum} and {@code _count} per label set, {@code le} buckets cumulative and
 * non-decreasing, a {@code +Inf} bucket equal to {@code _count}.
 */
final class PrometheusText {
  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern TYPE_LINE =
      Pattern.compile("# TYPE (\\S+) (counter|gauge|histogram|summary|untyped)");
  private static final Pattern HELP_LINE = Pattern.compile("# HELP (\\S+)( (.*))?");
  private static final Pattern FLOAT = Pattern.compile(
      "[-+]?(NaN|Inf|[0-9]+(\\.[0-9]*)?([eE][-+]?[0-9]+)?|\\.[0-9]+([eE][-+]?[0-9]+)?)");

  /** One sample line. */
  record Sample(String name, Map<String, String> labels, double value) {}

  /** One family: its TYPE, HELP and samples in order. */
  record Family(String name, String type, String help, List<Sample> samples) {
    /** The single sample with exactly these labels (name=value pairs), or an error. */
    double value(String... labels) {
      return sample(name, labels);
    }

    /** The single sample named {@code sampleName} (e.g. {@code x_count}) with these labels. */
    double sample(String sampleName, String... labels) {
      Map<String, String> want = new TreeMap<>();
      for (int i = 0; i < labels.length; i += 2) {
        want.put(labels[i], labels[i + 1]);
      }
      for (Sample s : samples) {
        if (s.name().equals(sampleName) && new TreeMap<>(s.labels()).equals(want)) {
          return s.value();
        }
      }
      throw new AssertionError("no sample " + sampleName + want + " in " + samples);
    }
  }

  private PrometheusText() {}

  /** Parses and validates; throws IllegalArgumentException naming the line on any violation. */
  static Map<String, Family> parse(String text) {
    if (!text.isEmpty() && !text.endsWith("\n")) {
      throw new IllegalArgumentException("the exposition must end with a newline");
    }
    Map<String, String> types = new LinkedHashMap<>();
    Map<String, String> helps = new LinkedHashMap<>();
    Map<String, List<Sample>> samples = new LinkedHashMap<>();
    Set<String> closedFamilies = new HashSet<>();
    Set<String> series = new HashSet<>();
    String current = null;
    String[] lines = text.split("\n", -1);
    for (int n = 0; n < lines.length - 1; n++) {
      String line = lines[n];
      String where = "line " + (n + 1) + ": '" + line + "'";
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("#")) {
        Matcher type = TYPE_LINE.matcher(line);
        Matcher help = HELP_LINE.matcher(line);
        if (line.startsWith("# TYPE ")) {
          require(type.matches(), where, "malformed TYPE");
          String name = type.group(1);
          requireName(name, where);
          require(!types.containsKey(name), where, "second TYPE for " + name);
          require(!samples.containsKey(name), where, "TYPE after the family's samples");
          types.put(name, type.group(2));
        } else if (line.startsWith("# HELP ")) {
          require(help.matches(), where, "malformed HELP");
          String name = help.group(1);
          requireName(name, where);
          require(!helps.containsKey(name), where, "second HELP for " + name);
          helps.put(name, unescapeHelp(help.group(3) == null ? "" : help.group(3), where));
        }
        continue;
      }
      Sample s = sample(line, where);
      String family = familyOf(s.name(), types);
      if (!family.equals(current)) {
        require(!closedFamilies.contains(family), where,
            "samples of " + family + " are not in one group");
        if (current != null) {
          closedFamilies.add(current);
        }
        current = family;
      }
      String key = s.name() + new TreeMap<>(s.labels());
      require(series.add(key), where, "duplicate series " + key);
      if ("counter".equals(types.get(family))) {
        require(s.name().endsWith("_total") || s.name().endsWith("_created"), where,
            "counter sample not named *_total");
        require(!(s.value() < 0), where, "negative counter");
      }
      samples.computeIfAbsent(family, k -> new ArrayList<>()).add(s);
    }
    Map<String, Family> out = new LinkedHashMap<>();
    for (Map.Entry<String, List<Sample>> e : samples.entrySet()) {
      String type = types.getOrDefault(e.getKey(), "untyped");
      if ("histogram".equals(type)) {
        checkHistogram(e.getKey(), e.getValue());
      }
      out.put(e.getKey(), new Family(e.getKey(), type, helps.get(e.getKey()), e.getValue()));
    }
    return out;
  }

  private static String familyOf(String sampleName, Map<String, String> types) {
    for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
      if (sampleName.endsWith(suffix)) {
        String base = sampleName.substring(0, sampleName.length() - suffix.length());
        if ("histogram".equals(types.get(base)) || "summary".equals(types.get(base))) {
          return base;
        }
      }
    }
    return sampleName;
  }

  private static void checkHistogram(String family, List<Sample> samples) {
    Map<Map<String, String>, TreeMap<Double, Double>> buckets = new LinkedHashMap<>();
    Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
    Map<Map<String, String>, Double> sums = new LinkedHashMap<>();
    for (Sample s : samples) {
      Map<String, String> labels = new TreeMap<>(s.labels());
      if (s.name().equals(family + "_bucket")) {
        String le = labels.remove("le");
        require(le != null, family, "bucket without le");
        double bound = parseFloat(le, family);
        buckets.computeIfAbsent(labels, k -> new TreeMap<>()).put(bound, s.value());
      } else if (s.name().equals(family + "_count")) {
        counts.put(labels, s.value());
      } else if (s.name().equals(family + "_sum")) {
        sums.put(labels, s.value());
      } else {
        throw new IllegalArgumentException(family + ": unexpected sample " + s.name());
      }
    }
    require(!buckets.isEmpty(), family, "histogram without buckets");
    for (Map.Entry<Map<String, String>, TreeMap<Double, Double>> e : buckets.entrySet()) {
      double previous = 0;
      for (double count : e.getValue().values()) {
        require(count >= previous, family, "buckets not cumulative " + e.getValue());
        previous = count;
      }
      Double inf = e.getValue().get(Double.POSITIVE_INFINITY);
      require(inf != null, family, "no +Inf bucket for " + e.getKey());
      require(inf.equals(counts.get(e.getKey())), family,
          "+Inf bucket " + inf + " != _count " + counts.get(e.getKey()));
      require(sums.containsKey(e.getKey()), family, "no _sum for " + e.getKey());
    }
  }

  private static Sample sample(String line, String where) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    requireName(name, where);
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (true) {
        require(i < line.length(), where, "unterminated labels");
        if (line.charAt(i) == '}') {
          i++;
          break;
        }
        int eq = line.indexOf('=', i);
        require(eq > i, where, "label without =");
        String label = line.substring(i, eq);
        require(LABEL_NAME.matcher(label).matches(), where, "bad label name " + label);
        require(eq + 1 < line.length() && line.charAt(eq + 1) == '"', where,
            "label value not quoted");
        StringBuilder value = new StringBuilder();
        int j = eq + 2;
        while (true) {
          require(j < line.length(), where, "unterminated label value");
          char c = line.charAt(j);
          if (c == '\\') {
            require(j + 1 < line.length(), where, "dangling escape");
            char e = line.charAt(j + 1);
            require(e == '\\' || e == '"' || e == 'n', where, "bad escape \\" + e);
            value.append(e == 'n' ? '\n' : e);
            j += 2;
          } else if (c == '"') {
            j++;
            break;
          } else {
            value.append(c);
            j++;
          }
        }
        require(labels.put(label, value.toString()) == null, where, "duplicate label " + label);
        i = j;
        if (i < line.length() && line.charAt(i) == ',') {
          i++;
        }
      }
    }
    require(i < line.length() && line.charAt(i) == ' ', where, "no space before the value");
    String[] rest = line.substring(i + 1).split(" ", -1);
    require(rest.length == 1 || rest.length == 2, where, "expected value [timestamp]");
    double value = parseFloat(rest[0], where);
    if (rest.length == 2) {
      require(rest[1].matches("-?[0-9]+"), where, "timestamp not an integer");
    }
    return new Sample(name, labels, value);
  }

  private static double parseFloat(String s, String where) {
    require(FLOAT.matcher(s).matches(), where, "not a float: '" + s + "'");
    if (s.endsWith("Inf")) {
      return s.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    return "NaN".equals(s) ? Double.NaN : Double.parseDouble(s);
  }

  private static String unescapeHelp(String s, String where) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        require(i + 1 < s.length(), where, "dangling escape in HELP");
        char e = s.charAt(++i);
        require(e == '\\' || e == 'n', where, "bad escape in HELP \\" + e);
        out.append(e == 'n' ? '\n' : e);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static void requireName(String name, String where) {
    require(METRIC_NAME.matcher(name).matches(), where, "bad metric name '" + name + "'");
  }

  private static void require(boolean ok, String where, String what) {
    if (!ok) {
      throw new IllegalArgumentException(where + ": " + what);
    }
  }
}
