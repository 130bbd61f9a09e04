package dev.zero.b2emulator;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many calls of each API the emulator received, named as in the B2 docs
 * ({@code b2_upload_file}, {@code b2_upload_part}, {@code b2_download_file_by_name}, ...;
 * a HEAD by name counts as {@code b2_get_file_info_by_name}). Every received call counts,
 * including those a fault answered, so retries show up.
 */
public final class CallStats {
    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();

    void record(String api) {
        calls.computeIfAbsent(api, name -> new AtomicLong()).incrementAndGet();
    }

    public long count(String api) {
        AtomicLong count = calls.get(api);
        return count == null ? 0 : count.get();
    }

    /** All counts so far, sorted by API name. */
    public Map<String, Long> snapshot() {
        Map<String, Long> snapshot = new TreeMap<>();
        calls.forEach((api, count) -> snapshot.put(api, count.get()));
        return snapshot;
    }

    public void reset() {
        calls.clear();
    }
}
