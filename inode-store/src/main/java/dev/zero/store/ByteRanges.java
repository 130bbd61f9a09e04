package dev.zero.store;

import java.util.Map;
import java.util.TreeMap;

/** A set of byte offsets kept as disjoint, non-adjacent ranges [start, end). Not thread-safe. */
final class ByteRanges {
  /** Start of each range to its end. */
  private final TreeMap<Long, Long> ranges = new TreeMap<>();

  /** Adds [start, end), merging it with the ranges it touches. */
  void add(long start, long end) {
    if (start >= end) {
      return;
    }
    Map.Entry<Long, Long> before = ranges.floorEntry(start);
    if (before != null && before.getValue() >= start) {
      start = before.getKey();
      end = Math.max(end, before.getValue());
    }
    for (Map.Entry<Long, Long> next = ranges.ceilingEntry(start);
        next != null && next.getKey() <= end;
        next = ranges.ceilingEntry(start)) {
      end = Math.max(end, next.getValue());
      ranges.remove(next.getKey());
    }
    ranges.put(start, end);
  }

  /** The first offset of [from, to) not in the set, or {@code to} if all of it is. */
  long firstMissing(long from, long to) {
    Map.Entry<Long, Long> covering = ranges.floorEntry(from);
    long missing = covering != null && covering.getValue() > from ? covering.getValue() : from;
    return Math.min(missing, to);
  }

  boolean contains(long offset) {
    return firstMissing(offset, offset + 1) != offset;
  }

  /** The first offset at or after {@code from} that is in the set, or Long.MAX_VALUE. */
  long nextPresent(long from) {
    if (contains(from)) {
      return from;
    }
    Long next = ranges.higherKey(from);
    return next == null ? Long.MAX_VALUE : next;
  }
}
