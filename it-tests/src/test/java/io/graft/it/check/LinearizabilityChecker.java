package io.graft.it.check;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides whether a history of register operations is linearizable (Herlihy &amp; Wing 1990): is
 * there a total order of the operations that respects real time (an operation that returned before
 * another was invoked comes first) and in which every result matches a sequential register?
 *
 * <p>Algorithm: Wing &amp; Gong's backtracking search with Lowe's memoization ("Testing for
 * linearizability", 2017), the same one Porcupine (anishathalye/porcupine, written from the papers,
 * not copied) and Knossos' "linear" checker use. The history is a doubly linked list of call and
 * return events in time order. The search repeatedly takes a call that precedes the first return
 * still in the list (i.e. an operation that may be linearized now), applies it to the model, lifts
 * it (and its return) out of the list, and starts over; when it meets a return whose call is not
 * linearized yet, no candidate fits and it backtracks. A configuration is the set of linearized
 * operations plus the model state; configurations already explored are cached and skipped, which
 * is what makes the search practical.
 *
 * <p>Pending operations (outcome unknown) return at +infinity, so they may be linearized at any
 * point after their invocation, including after every completed operation, which is the same as
 * never. Pending reads constrain nothing and are dropped.
 *
 * <p>Each key is checked on its own (linearizability is local, Herlihy &amp; Wing §3.3). A wall
 * time budget bounds the whole check; when it runs out the verdict is TIMEOUT, never a pass.
 */
public final class LinearizabilityChecker {

  private static final int CLOCK_CHECK_EVERY = 1 << 10;

  private final Duration budget;
  private final Map<String, Long> initialValues;

  /** A checker where every register starts absent ({@code null}). */
  public LinearizabilityChecker(Duration budget) {
    this(budget, Map.of());
  }

  /** A checker with given initial values for some registers (others start absent). */
  public LinearizabilityChecker(Duration budget, Map<String, Long> initialValues) {
    this.budget = budget;
    this.initialValues = Map.copyOf(initialValues);
  }

  /** Checks the whole history, key by key, within the budget. */
  public LinearizabilityResult check(List<RegisterOp> history) {
    long start = System.nanoTime();
    long deadline = start + budget.toNanos();
    Map<String, List<RegisterOp>> byKey = new LinkedHashMap<>();
    for (RegisterOp op : history) {
      if (op.kind() == RegisterOp.Kind.READ && op.pending()) {
        continue;
      }
      byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
    }
    int checked = 0;
    for (Map.Entry<String, List<RegisterOp>> e : byKey.entrySet()) {
      Search search = new Search(e.getValue(), initialValues.get(e.getKey()), deadline);
      LinearizabilityResult.Verdict v = search.run();
      if (v != LinearizabilityResult.Verdict.LINEARIZABLE) {
        return new LinearizabilityResult(v, e.getKey(), search.longestPrefix, search.stuck,
            checked, Duration.ofNanos(System.nanoTime() - start));
      }
      checked++;
    }
    return new LinearizabilityResult(LinearizabilityResult.Verdict.LINEARIZABLE, null, List.of(),
        List.of(), checked, Duration.ofNanos(System.nanoTime() - start));
  }

  /** One node of the event list: a call or a return of operation {@code id}. */
  private static final class Event {
    final int id;
    final long time;
    final boolean call;
    Event match;
    Event prev;
    Event next;

    Event(int id, long time, boolean call) {
      this.id = id;
      this.time = time;
      this.call = call;
    }
  }

  private record Config(BitSet linearized, Long state) {
  }

  private record Frame(Event call, Long stateBefore) {
  }

  /** The backtracking search over one key's history. */
  private static final class Search {
    private final List<RegisterOp> ops;
    private final Long initial;
    private final long deadline;
    private final Event head = new Event(-1, Long.MIN_VALUE, false);
    private int longestDepth = -1;
    List<RegisterOp> longestPrefix = List.of();
    List<RegisterOp> stuck = List.of();

    Search(List<RegisterOp> ops, Long initial, long deadline) {
      this.ops = ops;
      this.initial = initial;
      this.deadline = deadline;
      buildList();
    }

    private void buildList() {
      List<Event> events = new ArrayList<>(ops.size() * 2);
      for (int i = 0; i < ops.size(); i++) {
        Event call = new Event(i, ops.get(i).invokeNanos(), true);
        Event ret = new Event(i, ops.get(i).returnNanos(), false);
        call.match = ret;
        events.add(call);
        events.add(ret);
      }
      // At equal times calls sort first: touching intervals count as concurrent (the lenient
      // reading, so a coarse clock can never produce a false alarm).
      events.sort(Comparator.comparingLong((Event e) -> e.time).thenComparing(e -> !e.call));
      Event prev = head;
      for (Event e : events) {
        prev.next = e;
        e.prev = prev;
        prev = e;
      }
    }

    LinearizabilityResult.Verdict run() {
      BitSet linearized = new BitSet(ops.size());
      Set<Config> seen = new HashSet<>();
      Deque<Frame> stack = new ArrayDeque<>();
      Long state = initial;
      Event entry = head.next;
      long steps = 0;
      while (head.next != null) {
        if (++steps % CLOCK_CHECK_EVERY == 0 && System.nanoTime() > deadline) {
          return LinearizabilityResult.Verdict.TIMEOUT;
        }
        if (entry.call) {
          Object next = RegisterModel.step(state, ops.get(entry.id));
          if (next != RegisterModel.ILLEGAL) {
            BitSet after = (BitSet) linearized.clone();
            after.set(entry.id);
            if (seen.add(new Config(after, (Long) next))) {
              stack.push(new Frame(entry, state));
              state = (Long) next;
              linearized.set(entry.id);
              lift(entry);
              entry = head.next;
              continue;
            }
          }
          entry = entry.next;
        } else {
          if (stack.size() > longestDepth) {
            recordFailurePoint(stack, entry);
          }
          if (stack.isEmpty()) {
            return LinearizabilityResult.Verdict.NOT_LINEARIZABLE;
          }
          Frame top = stack.pop();
          entry = top.call();
          state = top.stateBefore();
          linearized.clear(entry.id);
          unlift(entry);
          entry = entry.next;
        }
      }
      return LinearizabilityResult.Verdict.LINEARIZABLE;
    }

    /** Remembers the deepest dead end: the prefix and the calls that could not follow it. */
    private void recordFailurePoint(Deque<Frame> stack, Event blockingReturn) {
      List<RegisterOp> prefix = new ArrayList<>(stack.size());
      stack.descendingIterator().forEachRemaining(f -> prefix.add(ops.get(f.call().id)));
      longestPrefix = prefix;
      longestDepth = prefix.size();
      List<RegisterOp> candidates = new ArrayList<>();
      for (Event e = head.next; e != null && e != blockingReturn.next; e = e.next) {
        if (e.call) {
          candidates.add(ops.get(e.id));
        }
      }
      stuck = candidates;
    }

    private static void lift(Event call) {
      call.prev.next = call.next;
      call.next.prev = call.prev;
      Event ret = call.match;
      ret.prev.next = ret.next;
      if (ret.next != null) {
        ret.next.prev = ret.prev;
      }
    }

    private static void unlift(Event call) {
      Event ret = call.match;
      ret.prev.next = ret;
      if (ret.next != null) {
        ret.next.prev = ret;
      }
      call.prev.next = call;
      call.next.prev = call;
    }
  }
}
