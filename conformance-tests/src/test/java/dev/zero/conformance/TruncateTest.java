package dev.zero.conformance;

import static dev.zero.conformance.ErrnoAssertions.assertErrno;
import static dev.zero.conformance.Sys.O_RDWR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import jnr.constants.platform.Errno;

class TruncateTest {

    @OnBothRoots
    void truncateDownKeepsThePrefix(Root root) {
        Path file = root.resolve("file");
        Sys.writeFile(file, Data.pattern(0, 300_000));

        Sys.truncate(file, 200_001);

        assertEquals(200_001, Sys.stat(file).size(), "size after truncate down");
        assertArrayEquals(Data.pattern(0, 200_001), Sys.readFile(file), "content after truncate down");
    }

    @OnBothRoots
    void truncateUpKeepsTheContentAndReadsTheNewPartAsZeros(Root root) {
        Path file = root.resolve("file");
        Sys.writeFile(file, Data.pattern(0, 1000));

        Sys.truncate(file, 300_000);

        byte[] expected = Arrays.copyOf(Data.pattern(0, 1000), 300_000);
        assertEquals(300_000, Sys.stat(file).size(), "size after truncate up");
        assertArrayEquals(expected, Sys.readFile(file), "content after truncate up: old bytes, then zeros");
    }

    @OnBothRoots
    void ftruncateDownThenUpDoesNotBringBackTheCutBytes(Root root) {
        Path file = root.resolve("file");
        Sys.writeFile(file, Data.pattern(0, 200_000));

        try (Fd fd = Sys.open(file, O_RDWR)) {
            fd.ftruncate(100);
            fd.ftruncate(200_000);
            assertEquals(200_000, fd.stat().size(), "fstat size after ftruncate down and up");
            byte[] expected = Arrays.copyOf(Data.pattern(0, 100), 200_000);
            assertArrayEquals(expected, fd.pread(200_000, 0), "bytes cut by ftruncate must read as zeros after growing again");
        }
    }

    @OnBothRoots
    void ftruncateToTheMiddleOfABlockZeroesTheRestOfThatBlockWhenGrown(Root root) {
        Path file = root.resolve("file");
        Sys.writeFile(file, Data.pattern(0, 8192));

        try (Fd fd = Sys.open(file, O_RDWR)) {
            fd.ftruncate(4000);
            fd.pwrite(new byte[] {1}, 8191);
        }

        byte[] expected = Arrays.copyOf(Data.pattern(0, 4000), 8192);
        expected[8191] = 1;
        assertArrayEquals(expected, Sys.readFile(file), "bytes 4000..8190 were cut, so they must read as zeros after a write past them");
    }

    @OnBothRoots
    void truncateUpdatesMtimeAndCtime(Root root) {
        Path file = root.resolve("file");
        Sys.writeFile(file, Data.pattern(0, 5000));
        Sys.setTimes(file, Times.PAST_ATIME, Times.PAST_MTIME);
        Instant ctimeBefore = Sys.stat(file).ctime();
        Times.pause();

        Instant before = Instant.now();
        Sys.truncate(file, 10);
        Instant after = Instant.now();

        Stat st = Sys.stat(file);
        Times.assertBetween(before, st.mtime(), after, "mtime after truncate");
        Times.assertAdvanced(ctimeBefore, st.ctime(), "ctime after truncate");
        assertEquals(Times.PAST_ATIME, st.atime(), "truncate must not change atime");
    }

    @OnBothRoots
    void ftruncateUpdatesMtimeAndCtime(Root root) {
        Path file = root.resolve("file");
        Sys.writeFile(file, Data.pattern(0, 5000));
        Sys.setTimes(file, Times.PAST_ATIME, Times.PAST_MTIME);
        Instant ctimeBefore = Sys.stat(file).ctime();
        Times.pause();

        Instant before = Instant.now();
        try (Fd fd = Sys.open(file, O_RDWR)) {
            fd.ftruncate(100_000);
        }
        Instant after = Instant.now();

        Stat st = Sys.stat(file);
        Times.assertBetween(before, st.mtime(), after, "mtime after ftruncate");
        Times.assertAdvanced(ctimeBefore, st.ctime(), "ctime after ftruncate");
    }

    @OnBothRoots
    void truncateOfADirectoryFailsWithEisdir(Root root) {
        Path dir = Sys.mkdir(root.resolve("dir"));

        assertErrno(Errno.EISDIR, () -> Sys.truncate(dir, 0), "truncate of a directory");
    }
}
