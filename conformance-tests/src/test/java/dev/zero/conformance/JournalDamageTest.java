package dev.zero.conformance;

import static dev.zero.conformance.Sys.O_CREAT;
import static dev.zero.conformance.Sys.O_TRUNC;
import static dev.zero.conformance.Sys.O_WRONLY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Zero only: one byte flipped in the metadata journal, after a clean unmount or a kill -9. The
 * mount refuses with one sentence naming the file and the byte, fsck reports it and changes
 * nothing, and after fsck --repair the tree is what the records before the damage held, with the
 * files written after it in /lost+found and the damaged journal kept.
 */
class JournalDamageTest {
    private Path work;
    private Path mnt;
    private Path cache;
    private Path config;
    private Path journal;
    private ZeroMount mount;

    @BeforeEach
    void setUp() throws IOException {
        Assumptions.assumeTrue(ZeroMount.jarAvailable(), "no zero-cli jar at " + ZeroMount.jar() + " (build the cli module first)");
        work = Files.createTempDirectory("zero-conformance-journal-damage-");
        mnt = work.resolve("mnt");
        cache = work.resolve("cache");
        config = work.resolve("cache-config.yml");
        journal = cache.resolve("meta/zero.db.journal");
    }

    @AfterEach
    void cleanUp() {
        if (mount != null) {
            mount.close();
        }
        if (work != null && !ZeroMount.isMounted(mnt)) {
            Trees.deleteRecursively(work);
        }
    }

    @Test
    void aByteFlippedAfterACleanUnmount() throws Exception {
        damageAndRecover(false);
    }

    @Test
    void aByteFlippedAfterAKill() throws Exception {
        damageAndRecover(true);
    }

    private void damageAndRecover(boolean kill) throws Exception {
        mount = ZeroMount.start(mnt, cache);
        Path first = Sys.mkdir(mnt.resolve("first"));
        for (int i = 0; i < 10; i++) {
            writeAndFsync(first.resolve("f" + i), Data.pattern(i, 1000 + i));
        }
        SortedMap<String, String> intactTree = Trees.describe(mnt);
        mount.unmount();
        long damagedAt = Files.size(journal); // the first record of the next mount

        mount = ZeroMount.start(mnt, cache);
        Path second = Sys.mkdir(mnt.resolve("second"));
        List<byte[]> writtenAfter = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            writtenAfter.add(Data.pattern(100 + i, 3000 + i));
            writeAndFsync(second.resolve("g" + i), writtenAfter.get(i));
        }
        writtenAfter.add(Data.pattern(7, 777));
        writeAndFsync(first.resolve("late"), writtenAfter.get(5));
        if (kill) {
            mount.kill9();
        } else {
            mount.unmount();
        }
        mount.close();
        mount = null;
        flipByte(journal, damagedAt + 12);
        byte[] damagedJournal = Files.readAllBytes(journal);
        SortedMap<String, String> metaBefore = hashes(cache.resolve("meta"));

        Shell.Result fsck = ZeroMount.cli("fsck", "--config", config.toString(), cache.toString());
        assertEquals(1, fsck.exitCode(), "fsck of a damaged journal reports a problem:\n" + fsck.output());
        assertTrue(fsck.output().contains(journal + " is damaged at byte " + damagedAt), fsck.output());
        assertEquals(metaBefore, hashes(cache.resolve("meta")), "fsck without --repair changed the metadata files");

        String refusal = refusedMount();
        assertTrue(refusal.contains("exited with code 4"), refusal);
        assertTrue(refusal.contains("zero-cli: the metadata journal " + journal + " is damaged at byte " + damagedAt + ": "), refusal);
        assertTrue(refusal.contains("zero-cli fsck --repair " + cache), refusal);
        assertFalse(refusal.contains("Exception"), "one sentence, no stack trace:\n" + refusal);
        assertEquals(metaBefore, hashes(cache.resolve("meta")), "the refused mount changed the metadata files");

        Shell.Result repair = ZeroMount.cli("fsck", "--repair", "--config", config.toString(), cache.toString());
        assertEquals(0, repair.exitCode(), "fsck --repair:\n" + repair.output());
        try (Stream<Path> files = Files.list(cache.resolve("meta"))) {
            List<Path> kept = files.filter(f -> f.getFileName().toString().startsWith("zero.db.journal.damaged-")).toList();
            assertEquals(1, kept.size(), "the damaged journal is kept:\n" + repair.output());
            assertArrayEquals(damagedJournal, Files.readAllBytes(kept.get(0)), "the damaged journal is kept as it was");
        }

        mount = ZeroMount.start(mnt, cache);
        SortedMap<String, String> tree = Trees.describe(mnt);
        SortedMap<String, String> lost = new TreeMap<>(tree.tailMap("lost+found"));
        tree.keySet().removeAll(lost.keySet());
        assertEquals(intactTree, tree, "the tree is what the records before the damage held");
        List<String> lostContent = new ArrayList<>();
        for (String path : lost.keySet()) {
            if (!path.equals("lost+found")) {
                lostContent.add(Trees.sha256(Sys.readFile(mnt.resolve(path))));
            }
        }
        for (byte[] content : writtenAfter) {
            assertTrue(lostContent.contains(Trees.sha256(content)),
                    "a file fsynced after the damage keeps its content in /lost+found; found " + lost);
        }
        mount.unmount();
        mount.close();
        mount = null;
        Shell.Result after = ZeroMount.cli("fsck", "--config", config.toString(), cache.toString());
        assertEquals(0, after.exitCode(), "fsck after the repair and a mount:\n" + after.output());
    }

    /** Starts a mount that must refuse; returns what ZeroMount reports of its exit. */
    private String refusedMount() throws IOException {
        try {
            mount = ZeroMount.start(mnt, cache, config);
        } catch (AssertionError refused) {
            return refused.getMessage();
        }
        mount.close();
        mount = null;
        throw new AssertionError("Zero mounted a cache whose journal is damaged");
    }

    private static void writeAndFsync(Path file, byte[] content) {
        try (Fd fd = Sys.open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644)) {
            fd.write(content);
            fd.fsync();
        }
    }

    private static void flipByte(Path file, long offset) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ 0xff);
        }
    }

    private static SortedMap<String, String> hashes(Path dir) throws IOException {
        SortedMap<String, String> hashes = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                hashes.put(dir.relativize(file).toString(), Trees.sha256(Files.readAllBytes(file)));
            }
        }
        return hashes;
    }
}
