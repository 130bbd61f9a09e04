package dev.zero.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Zero only: {@code zero-cli gc} against a remote that holds the content of three generations of
 * a tree (rewrites and deletes in between, a metadata backup after each). Every one of those
 * objects is still referred to by a kept backup, so gc must delete none of them: the newest
 * backup and the oldest one must both restore to trees that read back byte-exact. What gc must
 * delete is an object no inode and no backup refers to, as a crash between an upload and its
 * record leaves, and it must report its bytes.
 */
class GcTest {
    private static final String LEFTOVER = BackupRig.CONTENT_PREFIX + "999999/leftover";
    private static final int LEFTOVER_BYTES = 777;

    private final List<BackupRig> rigs = new ArrayList<>();

    @BeforeEach
    void requireTheJar() {
        Assumptions.assumeTrue(ZeroMount.jarAvailable(), "no zero-cli jar at " + ZeroMount.jar() + " (build the cli module first)");
    }

    @AfterEach
    void cleanUp() {
        rigs.forEach(BackupRig::close);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TieringRig.RemoteKind.class)
    void gcDeletesOnlyWhatNoFileAndNoKeptBackupNeeds(TieringRig.RemoteKind remote, TestInfo test) throws IOException {
        String name = test.getTestMethod().orElseThrow().getName() + "-" + remote;
        BackupRig rig = BackupRig.create(remote, name, new BackupRig.Settings(10, 0, 3600));
        rigs.add(rig);
        Path mnt = rig.mount();

        // Generation 1: five files, one of them with two names.
        Map<String, byte[]> first = new LinkedHashMap<>();
        put(mnt, first, "kept.bin", Data.random(1, 200_000));
        put(mnt, first, "rewritten.bin", Data.random(2, 300_000));
        put(mnt, first, "deleted.bin", Data.random(3, 100_000));
        Sys.mkdir(mnt.resolve("dir"));
        put(mnt, first, "dir/linked.bin", Data.random(4, 150_000));
        Sys.link(mnt.resolve("dir/linked.bin"), mnt.resolve("dir/linked-too.bin"));
        first.put("dir/linked-too.bin", first.get("dir/linked.bin"));
        rig.assertCli("tier", "--once");
        String oldest = rig.backUp();

        // Generation 2: a rewrite (new object), a delete, a new file, a link removed.
        Map<String, byte[]> second = new LinkedHashMap<>(first);
        put(mnt, second, "rewritten.bin", Data.random(5, 250_000));
        Sys.unlink(mnt.resolve("deleted.bin"));
        second.remove("deleted.bin");
        put(mnt, second, "added.bin", Data.random(6, 120_000));
        Sys.unlink(mnt.resolve("dir/linked-too.bin"));
        second.remove("dir/linked-too.bin");
        rig.assertCli("tier", "--once");
        rig.backUp();

        // Generation 3: both rewritten again, the linked file deleted.
        Map<String, byte[]> third = new LinkedHashMap<>(second);
        put(mnt, third, "rewritten.bin", Data.random(7, 280_000));
        put(mnt, third, "added.bin", Data.random(8, 90_000));
        Sys.unlink(mnt.resolve("dir/linked.bin"));
        third.remove("dir/linked.bin");
        rig.assertCli("tier", "--once");
        rig.backUp();

        // kept 1, rewritten 3, deleted 1, linked 1, added 2: each referred to by one of the backups.
        SortedSet<String> contentObjects = rig.remoteKeys(BackupRig.CONTENT_PREFIX);
        assertEquals(8, contentObjects.size(), "content objects in the remote after 3 generations, each of which a kept"
                + " backup refers to (tiering must not delete them either): " + contentObjects);
        rig.putRemoteObject(LEFTOVER, Data.random(9, LEFTOVER_BYTES));

        String gc = rig.assertCli("gc");

        assertEquals("gc: deleted 1 remote objects, " + LEFTOVER_BYTES + " B freed", gc.trim(),
                "gc must delete the one object nothing refers to, " + LEFTOVER + ", and report its bytes");
        SortedSet<String> afterGc = rig.remoteKeys(BackupRig.CONTENT_PREFIX);
        SortedSet<String> deletedByGc = new TreeSet<>(contentObjects);
        deletedByGc.removeAll(afterGc);
        assertEquals(new TreeSet<String>(), deletedByGc, "content objects gc deleted although a kept backup refers to them");
        assertEquals(contentObjects, afterGc, "content objects after gc: all but the leftover");
        rig.unmount();

        // The newest backup (the one made at unmount) restores to generation 3.
        rig.useCache(rig.work().resolve("restored-newest"));
        rig.assertCli("restore");
        assertTreeReadsBack(rig.mount(), third, "restored from the newest backup after gc");
        rig.unmount();

        // The oldest backup, alone in a copy of the remote, restores to generation 1: gc kept what it needs.
        BackupRig older = rig.copyWithNewestBackup(oldest, name + "-oldest");
        rigs.add(older);
        String restoredOldest = older.assertCli("restore");
        assertTrue(restoredOldest.contains(oldest), "the copy of the remote must restore " + oldest + "; restore printed:\n" + restoredOldest);
        assertTreeReadsBack(older.mount(), first, "restored from the oldest kept backup after gc");
    }

    private static void put(Path mnt, Map<String, byte[]> files, String path, byte[] content) {
        Sys.writeFile(mnt.resolve(path), content);
        files.put(path, content);
    }

    private static void assertTreeReadsBack(Path mnt, Map<String, byte[]> expected, String what) {
        List<String> files = Trees.list(mnt).stream().filter(p -> Sys.lstat(mnt.resolve(p)).isRegularFile()).toList();
        assertEquals(new TreeSet<>(expected.keySet()), new TreeSet<>(files), what + ": the files");
        expected.forEach((path, content) ->
                assertArrayEquals(content, Sys.readFile(mnt.resolve(path)), what + ": content of " + path));
    }
}
