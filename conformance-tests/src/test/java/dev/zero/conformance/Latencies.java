package dev.zero.conformance;

import java.util.Arrays;

/** How long one kind of operation took: nearest-rank percentiles of every call, in nanoseconds. */
record Latencies(int count, long median, long p99, long max) {
    static Latencies of(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new Latencies(sorted.length, rank(sorted, 0.50), rank(sorted, 0.99), sorted.length == 0 ? 0 : sorted[sorted.length - 1]);
    }

    private static long rank(long[] sorted, double quantile) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.ceil(quantile * sorted.length) - 1];
    }

    static String millis(long nanos) {
        return String.format("%.3f", nanos / 1e6);
    }
}
