package dev.zero.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Zero only, the issue "Smart sync": zero-cli ls, status PATH, pin, unpin, evict and fetch on a
 * real mount, and the state xattr, as a user checks them: what ls and the xattr say after each
 * step, and what is really local (st_blocks) and readable.
 */
class WhichFilesAreLocalTest {
    private static final int FILE_BYTES = 300_000;
    /** 700 kB: two files of 300 kB fit, and a pass over it evicts down to 665 kB. */
    private static final double TARGET_GB = 0.0007;

    private TieringRig rig;

    @BeforeEach
    void requireTheJar() {
        Assumptions.assumeTrue(ZeroMount.jarAvailable(), "no zero-cli jar at " + ZeroMount.jar() + " (build the cli module first)");
    }

    @AfterEach
    void cleanUp() {
        if (rig != null) {
            rig.close();
        }
    }

    /** Background passes upload nothing (the delay is an hour): only the test's own tier --once moves content. */
    private Path mount(TestInfo test, double targetGb) throws IOException {
        rig = TieringRig.withLocalDirectory(test.getTestMethod().orElseThrow().getName(), targetGb);
        rig.setUploadDelaySeconds(3600);
        return rig.mount();
    }

    private String cli(String... args) {
        Shell.Result result = ZeroMount.cli(args);
        assertEquals(0, result.exitCode(), "zero-cli " + String.join(" ", args) + ": " + rig.describe(result));
        return result.output();
    }

    /** The STATE and PIN columns of ls for one file. */
    private String[] lsColumns(Path file) {
        String line = cli("ls", "--config", rig.config().toString(), file.toString()).strip();
        String[] columns = line.split("\\s+");
        assertTrue(line.endsWith(file.getFileName().toString()), "ls names the file: " + line);
        return new String[] {columns[0], columns[1]};
    }

    private static String stateXattr(Path file) throws IOException {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
        ByteBuffer value = ByteBuffer.allocate(256);
        view.read("zero.state", value);
        return new String(value.array(), 0, value.position(), StandardCharsets.UTF_8);
    }

    private static long blocks(Path file) {
        return Sys.stat(file).blocks();
    }

    @Test
    void lsAndTheXattrFollowAFileThroughUploadEvictionAndRecall(TestInfo test) throws IOException {
        Path mnt = mount(test, 10);
        Path file = mnt.resolve("a.bin");
        byte[] data = Data.random(1, FILE_BYTES);
        Sys.writeFile(file, data);
        assertEquals("local", lsColumns(file)[0], "written, not uploaded");
        assertTrue(stateXattr(file).startsWith("local unpinned"), stateXattr(file));

        rig.assertTierOnceSucceeds();
        assertEquals("synced", lsColumns(file)[0], "uploaded");

        String evicted = cli("evict", "--config", rig.config().toString(), file.toString());
        assertTrue(evicted.contains("evicted 1 files"), evicted);
        assertEquals("remote", lsColumns(file)[0]);
        assertEquals(0, blocks(file), "evicted: no local blocks");
        assertTrue(stateXattr(file).startsWith("remote unpinned local=0 size=" + FILE_BYTES), stateXattr(file));

        assertArrayEquals(data, Sys.readFile(file), "reading recalls it");
        assertEquals("synced", lsColumns(file)[0], "recalled whole");

        UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
        assertFalse(view.list().contains("zero.state"), "listxattr leaves the state out, so copies do not carry it");
        Path copy = Files.createTempDirectory("zero-copy-").resolve("a.bin");
        try {
            Shell.Result cp = Shell.run(null, "cp", "-a", "--preserve=all", file.toString(), copy.toString());
            assertEquals(0, cp.exitCode(), cp.output());
            assertFalse(Files.getFileAttributeView(copy, UserDefinedFileAttributeView.class).list().contains("zero.state"),
                    "cp -a --preserve=all did not copy the state onto another filesystem");
        } finally {
            Trees.deleteRecursively(copy.getParent());
        }
    }

    @Test
    void aPinnedTreeSurvivesAnEvictionPassThatEmptiesTheRestAndOutlivesARemount(TestInfo test) throws IOException {
        Path mnt = mount(test, TARGET_GB);
        Path kept = Sys.mkdir(mnt.resolve("kept"));
        Path other = Sys.mkdir(mnt.resolve("other"));
        for (int i = 0; i < 2; i++) {
            Sys.writeFile(kept.resolve("k" + i), Data.random(10 + i, FILE_BYTES));
            Sys.writeFile(other.resolve("o" + i), Data.random(20 + i, FILE_BYTES));
        }
        String pinned = cli("pin", "--config", rig.config().toString(), kept.toString());
        assertTrue(pinned.contains("pin: pinned"), pinned);
        Path later = kept.resolve("later");
        Sys.writeFile(later, Data.random(30, 1000));
        assertEquals("pinned", lsColumns(later)[1], "a file made later in a pinned directory is pinned");

        rig.assertTierOnceSucceeds(); // uploads all, then evicts down to the target: 1.2 MB local, 0.7 MB target
        for (int i = 0; i < 2; i++) {
            assertEquals("synced", lsColumns(kept.resolve("k" + i))[0], "pinned: still local");
            assertEquals("remote", lsColumns(other.resolve("o" + i))[0], "unpinned: evicted");
        }

        String status = cli("status", "--config", rig.config().toString(), mnt.toString());
        assertEquals(3, filesOn(status, "pinned:"), status);
        assertEquals(2, filesOn(status, "remote only:"), status);

        Shell.Result refused = ZeroMount.cli("pin", "--config", rig.config().toString(), other.toString());
        assertEquals(1, refused.exitCode(), rig.describe(refused));
        assertTrue(refused.output().contains("over the target"), refused.output());
        assertEquals("remote", lsColumns(other.resolve("o0"))[0], "a refused pin recalls nothing");

        rig.unmount();
        rig.mount();
        assertEquals("pinned", lsColumns(kept.resolve("k0"))[1], "pins outlive a remount");
        cli("unpin", "--config", rig.config().toString(), kept.toString());
        assertEquals("-", lsColumns(kept.resolve("k0"))[1]);
    }

    /**
     * Writes 16 MiB of random bytes to {@code file}, uploads and evicts it, then reads its first
     * page, which recalls a window of it; returns the bytes.
     */
    private byte[] evictAndReadTheFirstPage(Path file, int seed) {
        byte[] data = Data.random(seed, 16 << 20);
        Sys.writeFile(file, data);
        rig.assertTierOnceSucceeds();
        cli("evict", "--config", rig.config().toString(), file.toString());
        try (Fd fd = Sys.open(file, Sys.O_RDONLY)) {
            fd.dropCachedPages(); // else the kernel serves the page from its cache, recalling nothing
            assertArrayEquals(Arrays.copyOf(data, 4096), fd.pread(4096, 0), "the first page, recalled");
        }
        return data;
    }

    @Test
    void evictFreesThePartOfAFileRecalledSoFar(TestInfo test) throws IOException {
        Path mnt = mount(test, 10);
        Path file = mnt.resolve("big.bin");
        byte[] data = evictAndReadTheFirstPage(file, 3);
        assertEquals("partial", lsColumns(file)[0], "a first page read recalls a window, not 16 MiB");

        String evicted = cli("evict", "--config", rig.config().toString(), file.toString());

        assertTrue(evicted.contains("evicted 1 files"), evicted);
        assertEquals("remote", lsColumns(file)[0]);
        assertEquals(0, blocks(file), "no local blocks left");
        try (Fd fd = Sys.open(file, Sys.O_RDONLY)) {
            fd.dropCachedPages();
            assertArrayEquals(data, fd.pread(data.length, 0), "read back whole");
        }
    }

    @Test
    void thePartOfAFileRecalledBeforeAnUnmountDoesNotStayOnTheCacheDisk(TestInfo test) throws IOException {
        Path mnt = mount(test, 10);
        Path file = mnt.resolve("big.bin");
        byte[] data = evictAndReadTheFirstPage(file, 4);
        assertTrue(rig.localContentBytes() > 0, "a window of the file is local while mounted");

        rig.unmount();

        assertEquals(0, rig.localContentBytes(), "local content bytes after the unmount: the unfinished recall's are gone");
        rig.mount();
        assertArrayEquals(data, Sys.readFile(file), "read back whole after the remount");
    }

    @Test
    void evictSkipsAnOpenFileAndNamesItAndFetchRecallsWithoutPinning(TestInfo test) throws IOException {
        Path mnt = mount(test, 10);
        Path dir = Sys.mkdir(mnt.resolve("dir"));
        Path open = dir.resolve("open.bin");
        Path closed = dir.resolve("closed.bin");
        byte[] data = Data.random(2, FILE_BYTES);
        Sys.writeFile(open, data);
        Sys.writeFile(closed, data);
        try (FileChannel reader = FileChannel.open(open, StandardOpenOption.READ)) {
            String evicted = cli("evict", "--config", rig.config().toString(), dir.toString());
            assertTrue(evicted.contains("evicted 1 files"), "the dirty files are uploaded first, then evicted: " + evicted);
            assertTrue(evicted.contains("skipped dir/open.bin (open)"), evicted);
            assertEquals("synced", lsColumns(open)[0]);
            assertEquals("remote", lsColumns(closed)[0]);
        }

        String fetched = cli("fetch", "--config", rig.config().toString(), dir.toString());
        assertTrue(fetched.contains("recalled 1 files"), fetched);
        String[] columns = lsColumns(closed);
        assertEquals("synced", columns[0]);
        assertEquals("-", columns[1], "fetch does not pin");
        assertTrue(blocks(closed) * 512 >= FILE_BYTES, "the content is on local disk: " + blocks(closed) + " blocks");
        assertArrayEquals(data, Sys.readFile(closed));

        Shell.Result elsewhere = ZeroMount.cli("ls", "--config", rig.config().toString(), "/tmp");
        assertEquals(2, elsewhere.exitCode(), "a path on another filesystem is a wrong command line: " + elsewhere.output());
        assertTrue(elsewhere.output().contains("is not on a mounted Zero filesystem"), elsewhere.output());
        assertEquals(List.of(), List.of(elsewhere.output().split("\n")).stream().filter(l -> l.contains("\tat ")).toList());
    }

    private static int filesOn(String status, String label) {
        Matcher m = Pattern.compile(Pattern.quote(label) + "\\s+(\\d+) files").matcher(status);
        assertTrue(m.find(), "no line '" + label + "' in:\n" + status);
        return Integer.parseInt(m.group(1));
    }
}
