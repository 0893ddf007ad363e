package io.graft.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parsed command line of {@code ./graft}: a command, its positional arguments, its options
 * ({@code --name value}; repeatable ones keep every value) and its flags ({@code --name}).
 */
record CliArgs(String command, List<String> positional, Map<String, List<String>> options,
    Set<String> flags) {

  /**
   * @param valued the options that take a value; any other {@code --x} must be in {@code flags}
   */
  static CliArgs parse(String[] args, Set<String> valued, Set<String> knownFlags, String usage) {
    if (args.length == 0) {
      throw new IllegalArgumentException(usage);
    }
    List<String> positional = new ArrayList<>();
    Map<String, List<String>> options = new LinkedHashMap<>();
    Set<String> flags = new java.util.LinkedHashSet<>();
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      if (valued.contains(a)) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(a + " needs a value\n" + usage);
        }
        options.computeIfAbsent(a, k -> new ArrayList<>()).add(args[++i]);
      } else if (knownFlags.contains(a)) {
        flags.add(a);
      } else if (a.startsWith("--")) {
        throw new IllegalArgumentException("unknown option " + a + "\n" + usage);
      } else {
        positional.add(a);
      }
    }
    return new CliArgs(args[0], List.copyOf(positional), options, Set.copyOf(flags));
  }

  String option(String name, String otherwise) {
    List<String> values = options.get(name);
    return values == null ? otherwise : values.get(values.size() - 1);
  }

  List<String> all(String name) {
    return options.getOrDefault(name, List.of());
  }

  boolean has(String name) {
    return options.containsKey(name) || flags.contains(name);
  }

  /** A positive integer option, with a message naming it when it is not one. */
  int intOption(String name, int otherwise) {
    String v = option(name, null);
    if (v == null) {
      return otherwise;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " takes a positive number, not '" + v + "'");
    }
  }
}
