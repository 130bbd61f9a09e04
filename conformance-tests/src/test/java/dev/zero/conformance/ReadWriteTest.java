package dev.zero.conformance;

import static dev.zero.conformance.Sys.O_CREAT;
import static dev.zero.conformance.Sys.O_RDONLY;
import static dev.zero.conformance.Sys.O_RDWR;
import static dev.zero.conformance.Sys.O_WRONLY;
import static dev.zero.conformance.Sys.SEEK_CUR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;

class ReadWriteTest {
    /** The largest FUSE read or write request (libfuse2); data is checked across its multiples. */
    private static final int FUSE_REQUEST = 128 * 1024;
    private static final int TEN_MIB = 10 * 1024 * 1024;

    @OnBothRoots
    void dataWrittenInOddChunksReadsBackExactlyAcross128KiBBoundaries(Root root) {
        Path file = root.resolve("data");
        int size = 8 * FUSE_REQUEST + 12_345;
        byte[] expected = Data.pattern(0, size);
        try (Fd fd = Sys.open(file, O_WRONLY | O_CREAT, 0644)) {
            for (int offset = 0; offset < size; offset += 100_003) {
                fd.write(Arrays.copyOfRange(expected, offset, Math.min(size, offset + 100_003)));
            }
        }

        assertEquals(size, Sys.stat(file).size(), "size after sequential writes");
        assertArrayEquals(expected, Sys.readFile(file), "whole-file read after writes in 100,003-byte chunks");
        try (Fd fd = Sys.open(file, O_RDONLY)) {
            for (long offset = FUSE_REQUEST - 7; offset < size; offset += FUSE_REQUEST) {
                int length = (int) Math.min(FUSE_REQUEST + 3, size - offset);
                assertArrayEquals(Data.pattern(offset, length), fd.pread(length, offset),
                        "pread of " + length + " bytes at offset " + offset + ", across a 128 KiB boundary");
            }
        }
    }

    @OnBothRoots
    void pwriteChangesOnlyTheBytesAtItsOffsetAndLeavesTheFileOffsetAlone(Root root) {
        Path file = root.resolve("data");
        byte[] expected = Data.pattern(0, 4 * FUSE_REQUEST);
        Sys.writeFile(file, expected);
        byte[] acrossBoundary = "ACROSS-128K".getBytes();
        byte[] inside = "INSIDE".getBytes();

        try (Fd fd = Sys.open(file, O_RDWR)) {
            fd.pwrite(acrossBoundary, FUSE_REQUEST - 5);
            fd.pwrite(inside, 300_001);
            assertEquals(0, fd.lseek(0, SEEK_CUR), "pwrite must not move the file offset");
        }

        System.arraycopy(acrossBoundary, 0, expected, FUSE_REQUEST - 5, acrossBoundary.length);
        System.arraycopy(inside, 0, expected, 300_001, inside.length);
        assertArrayEquals(expected, Sys.readFile(file), "file content after two pwrites into existing data");
    }

    @OnBothRoots
    void readAtOrPastTheEndOfFileReturnsZeroBytes(Root root) {
        Path file = root.resolve("data");
        Sys.writeFile(file, Data.pattern(0, 1000));

        try (Fd fd = Sys.open(file, O_RDONLY)) {
            assertEquals(0, fd.pread(10, 1000).length, "pread at the end of file must return 0 bytes");
            assertEquals(0, fd.pread(10, 50_000).length, "pread past the end of file must return 0 bytes");
            fd.readToEnd();
            assertEquals(0, fd.read(10).length, "read after reaching the end of file must return 0 bytes");
        }
    }

    @OnBothRoots
    void readSpanningTheEndOfFileReturnsOnlyWhatIsThere(Root root) {
        Path file = root.resolve("data");
        Sys.writeFile(file, Data.pattern(0, 1000));

        try (Fd fd = Sys.open(file, O_RDONLY)) {
            assertArrayEquals(Data.pattern(990, 10), fd.pread(100, 990), "pread of 100 bytes starting 10 before the end");
        }
    }

    @OnBothRoots
    void writeFarPastTheEndLeavesAHoleThatReadsAsZeros(Root root) {
        Path file = root.resolve("sparse");
        byte[] tail = "tail".getBytes();
        try (Fd fd = Sys.open(file, O_WRONLY | O_CREAT, 0644)) {
            fd.pwrite(tail, TEN_MIB);
        }

        assertEquals(TEN_MIB + tail.length, Sys.stat(file).size(), "size after a 4-byte write at 10 MiB");
        try (Fd fd = Sys.open(file, O_RDONLY)) {
            assertArrayEquals(new byte[FUSE_REQUEST], fd.pread(FUSE_REQUEST, 0), "the hole at the start must read as zeros");
            assertArrayEquals(new byte[FUSE_REQUEST], fd.pread(FUSE_REQUEST, TEN_MIB / 2), "the middle of the hole must read as zeros");
            byte[] expected = new byte[8 + tail.length];
            System.arraycopy(tail, 0, expected, 8, tail.length);
            assertArrayEquals(expected, fd.pread(100, TEN_MIB - 8), "the end of the hole followed by the data");
        }
    }

    /**
     * POSIX leaves what st_blocks counts to the filesystem; Linux filesystems count 512-byte units
     * actually allocated, and du, cp --sparse and backup tools rely on it, so Zero reports what
     * the content occupies.
     */
    @OnBothRoots
    void sparseFileOccupiesFewerBlocksThanItsSize(Root root) {
        Path file = root.resolve("sparse");
        try (Fd fd = Sys.open(file, O_WRONLY | O_CREAT, 0644)) {
            fd.pwrite("tail".getBytes(), TEN_MIB);
            fd.fsync();
        }

        Stat st = Sys.stat(file);
        assertTrue(st.blocks() * 512 < st.size(),
                "st_blocks must count only allocated data: " + st.blocks() + " blocks of 512 bytes for a file of " + st.size() + " bytes with a 10 MiB hole");
    }

    @OnBothRoots
    void blocksCoverTheDataOfADenseFile(Root root) {
        Path file = root.resolve("dense");
        try (Fd fd = Sys.open(file, O_WRONLY | O_CREAT, 0644)) {
            fd.write(Data.pattern(0, 1024 * 1024));
            fd.fsync();
        }

        Stat st = Sys.stat(file);
        assertTrue(st.blocks() * 512 >= st.size(),
                "st_blocks (" + st.blocks() + " x 512 bytes) must cover the " + st.size() + " bytes written; du and quota tools rely on it");
    }
}
