package dev.zero.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** The CPU time a process has used, from /proc. */
final class ProcessCpu {
    /** /proc reports times in USER_HZ, which Linux fixes at 100 for user space. */
    private static final long TICKS_PER_SECOND = 100;

    private ProcessCpu() {}

    /** utime + stime of {@code pid}: its threads' time in user space and in the kernel. */
    static Duration of(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // The command name in parentheses may hold spaces; the fields after it are fixed.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return Duration.ofMillis(ticks * 1000 / TICKS_PER_SECOND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CPU time of process " + pid, e);
        }
    }
}
