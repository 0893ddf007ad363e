package io.graft.it.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Generates register histories that are linearizable by construction: every operation gets a
 * linearization point inside its interval, the points are applied in order to a real sequential
 * register, and the results the clients see are whatever that register returned. Pending
 * operations either took effect (at a point possibly after the client gave up) or never did.
 */
final class RandomHistories {

  private RandomHistories() {
  }

  /** Parameters of one generated history; {@code valueDomain <= 0} means unique values. */
  record Shape(int clients, int opsPerClient, int valueDomain, double pendingRate, String key) {
  }

  private record Planned(RegisterOp.Kind kind, int process, long inv, long ret, long point,
      Long value, Long next, boolean pending, boolean applies) {
  }

  static List<RegisterOp> linearizable(Random rnd, Shape shape) {
    List<Planned> planned = new ArrayList<>();
    for (int c = 0; c < shape.clients(); c++) {
      long t = rnd.nextInt(10);
      for (int i = 0; i < shape.opsPerClient(); i++) {
        long dur = 1 + rnd.nextInt(20);
        RegisterOp.Kind kind = RegisterOp.Kind.values()[rnd.nextInt(3)];
        boolean pending = kind != RegisterOp.Kind.READ && rnd.nextDouble() < shape.pendingRate();
        // A pending operation may take effect long after its client gave up on it.
        long point = t + (pending ? rnd.nextInt((int) dur * 4 + 1) : rnd.nextInt((int) dur + 1));
        int domain = Math.max(1, shape.valueDomain());
        Long value = (long) rnd.nextInt(domain);
        Long next = (long) rnd.nextInt(domain);
        planned.add(new Planned(kind, c, t, t + dur, point, value, next, pending,
            !pending || rnd.nextBoolean()));
        t += dur + rnd.nextInt(5);
      }
    }
    // Distinct points: ties broken at random but deterministically from the seed.
    List<long[]> order = new ArrayList<>();
    for (int i = 0; i < planned.size(); i++) {
      order.add(new long[] {planned.get(i).point(), rnd.nextLong(), i});
    }
    order.sort(Comparator.<long[]>comparingLong(a -> a[0]).thenComparingLong(a -> a[1]));
    Long register = null;
    List<Long> written = new ArrayList<>();
    long unique = 1_000;
    RegisterOp[] out = new RegisterOp[planned.size()];
    for (long[] o : order) {
      int i = (int) o[2];
      Planned p = planned.get(i);
      if (shape.valueDomain() <= 0) {
        // Unique values, as the register workload writes them; a CAS expects the current value
        // or an older one (a client's stale view), chosen here for simplicity.
        Long expected = written.isEmpty() || rnd.nextBoolean() ? register
            : written.get(rnd.nextInt(written.size()));
        boolean isCas = p.kind() == RegisterOp.Kind.CAS;
        p = new Planned(p.kind(), p.process(), p.inv(), p.ret(), p.point(),
            isCas ? expected : Long.valueOf(++unique), isCas ? ++unique : null, p.pending(),
            p.applies());
        written.add(unique);
      }
      String key = shape.key();
      if (p.kind() == RegisterOp.Kind.READ) {
        out[i] = RegisterOp.read(p.process(), key, register, p.inv(), p.ret());
      } else if (p.kind() == RegisterOp.Kind.WRITE) {
        if (p.applies()) {
          register = p.value();
        }
        out[i] = p.pending() ? RegisterOp.pendingWrite(p.process(), key, p.value(), p.inv())
            : RegisterOp.write(p.process(), key, p.value(), p.inv(), p.ret());
      } else {
        boolean swapped = p.applies() && java.util.Objects.equals(p.value(), register);
        if (swapped) {
          register = p.next();
        }
        out[i] = p.pending() ? RegisterOp.pendingCas(p.process(), key, p.value(), p.next(), p.inv())
            : RegisterOp.cas(p.process(), key, p.value(), p.next(), swapped, p.inv(), p.ret());
      }
    }
    return new ArrayList<>(List.of(out));
  }

  /** Changes one operation at random: its result, its value, or its timing. */
  static List<RegisterOp> mutate(Random rnd, List<RegisterOp> history, int valueDomain) {
    List<RegisterOp> copy = new ArrayList<>(history);
    int i = rnd.nextInt(copy.size());
    RegisterOp op = copy.get(i);
    Long other = (long) rnd.nextInt(valueDomain + 1);
    RegisterOp changed;
    switch (rnd.nextInt(4)) {
      case 0:
        changed = new RegisterOp(op.process(), op.key(), op.kind(), other, op.newValue(),
            op.casOk(), op.invokeNanos(), op.returnNanos());
        break;
      case 1:
        changed = new RegisterOp(op.process(), op.key(), op.kind(), op.value(), op.newValue(),
            !op.casOk(), op.invokeNanos(), op.returnNanos());
        break;
      case 2:
        long shift = rnd.nextInt(40);
        long ret = op.pending() ? op.returnNanos() : op.returnNanos() + shift;
        changed = new RegisterOp(op.process(), op.key(), op.kind(), op.value(), op.newValue(),
            op.casOk(), op.invokeNanos() + shift, ret);
        break;
      default:
        changed = new RegisterOp(op.process(), op.key(), op.kind(), op.value(), other,
            op.casOk(), op.invokeNanos(), op.returnNanos());
        break;
    }
    copy.set(i, changed);
    return copy;
  }
}
