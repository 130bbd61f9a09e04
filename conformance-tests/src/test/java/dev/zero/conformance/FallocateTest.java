package dev.zero.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;

/** The fallocate(1) calls users make: allocate, keep size, punch a hole; as on a local disk. */
class FallocateTest {
    private static final int MIB = 1 << 20;

    @OnBothRoots
    void fallocateGivesTheSizeAndTheBlocks(Root root) {
        Path file = root.resolve("file");
        Shell.Result result = Shell.run(root.dir(), "fallocate", "-l", "50M", "file");
        assertEquals(0, result.exitCode(), result.output());
        assertEquals(50L * MIB, Sys.stat(file).size());
        assertTrue(Sys.stat(file).blocks() * 512 >= 50L * MIB, "blocks allocated: " + Sys.stat(file).blocks());
        assertArrayEquals(new byte[MIB], Arrays.copyOf(Sys.readFile(file), MIB), "allocated bytes read as zeros");
    }

    @OnBothRoots
    void keepSizeAllocatesWithoutGrowingTheFile(Root root) {
        Path file = root.resolve("file");
        Sys.writeFile(file, Data.random(1, 1000));
        Shell.Result result = Shell.run(root.dir(), "fallocate", "-n", "-l", "8M", "file");
        assertEquals(0, result.exitCode(), result.output());
        assertEquals(1000, Sys.stat(file).size());
        assertTrue(Sys.stat(file).blocks() * 512 >= 8L * MIB, "blocks allocated beyond the size: " + Sys.stat(file).blocks());
        assertArrayEquals(Data.random(1, 1000), Sys.readFile(file));
    }

    @OnBothRoots
    void punchingAHoleZeroesTheRangeAndFreesItsBlocks(Root root) {
        Path file = root.resolve("file");
        byte[] content = Data.random(2, 4 * MIB);
        Sys.writeFile(file, content);
        long before = Sys.stat(file).blocks();
        Shell.Result result = Shell.run(root.dir(), "fallocate", "-p", "-o", String.valueOf(MIB), "-l", String.valueOf(2 * MIB), "file");
        assertEquals(0, result.exitCode(), result.output());
        Arrays.fill(content, MIB, 3 * MIB, (byte) 0);
        assertEquals(4L * MIB, Sys.stat(file).size());
        assertArrayEquals(content, Sys.readFile(file), "the hole reads as zeros, the rest is kept");
        assertTrue(Sys.stat(file).blocks() <= before - 2 * MIB / 512, "the hole's blocks are freed: " + before + " -> " + Sys.stat(file).blocks());
    }
}
