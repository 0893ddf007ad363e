package io.graft.it.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The strict parser the metrics IT trusts: it accepts well-formed expositions (counter, gauge
 * with escaped labels, histogram) and rejects each kind of malformed one.
 */
class PrometheusTextTest {
  private static final String GOOD = """
      # HELP a_total Things done, with a \\\\ and a \\n in the help.
      # TYPE a_total counter
      a_total 3.0
      # TYPE g gauge
      g{member="127.0.0.1:7000",note="say \\"hi\\"\\n"} -1.5
      g{member="b"} NaN 1700000000000
      # TYPE h histogram
      h_bucket{le="0.1"} 1.0
      h_bucket{le="1.0"} 3.0
      h_bucket{le="+Inf"} 4.0
      h_count 4.0
      h_sum 7.25
      """;

  @Test
  void acceptsAWellFormedExposition() {
    Map<String, PrometheusText.Family> families = PrometheusText.parse(GOOD);
    assertThat(families).containsOnlyKeys("a_total", "g", "h");
    assertThat(families.get("a_total").type()).isEqualTo("counter");
    assertThat(families.get("a_total").help()).isEqualTo("Things done, with a \\ and a \n in the help.");
    assertThat(families.get("a_total").value()).isEqualTo(3.0);
    assertThat(families.get("g").value("member", "127.0.0.1:7000", "note", "say \"hi\"\n"))
        .isEqualTo(-1.5);
    assertThat(families.get("g").value("member", "b")).isNaN();
    assertThat(families.get("h").samples()).hasSize(5);
  }

  @Test
  void rejectsEachKindOfMalformedExposition() {
    bad("no newline at the end", "g 1");
    bad("a bad metric name", "1g 1\n");
    bad("an unquoted label value", "g{a=b} 1\n");
    bad("a bad escape", "g{a=\"\\t\"} 1\n");
    bad("a non-float value", "g one\n");
    bad("a duplicate series", "g{a=\"1\"} 1\ng{a=\"1\"} 2\n");
    bad("a duplicate label", "g{a=\"1\",a=\"2\"} 1\n");
    bad("TYPE after samples", "g 1\n# TYPE g gauge\n");
    bad("two TYPE lines", "# TYPE g gauge\n# TYPE g gauge\ng 1\n");
    bad("a split family", "g{a=\"1\"} 1\nx 1\ng{a=\"2\"} 1\n");
    bad("a negative counter", "# TYPE c_total counter\nc_total -1\n");
    bad("a counter not named _total", "# TYPE c counter\nc 1\n");
    bad("non-cumulative buckets", "# TYPE h histogram\nh_bucket{le=\"1\"} 3\n"
        + "h_bucket{le=\"+Inf\"} 2\nh_count 2\nh_sum 1\n");
    bad("+Inf bucket unlike _count", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\n"
        + "h_count 3\nh_sum 1\n");
    bad("no +Inf bucket", "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_count 2\nh_sum 1\n");
    bad("a timestamp that is no integer", "g 1 1.5\n");
  }

  private static void bad(String what, String text) {
    assertThatThrownBy(() -> PrometheusText.parse(text)).as(what)
        .isInstanceOf(IllegalArgumentException.class);
  }
}
