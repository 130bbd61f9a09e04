package dev.zero.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Zero only: two caches on one remote with the same config.yml. A new cache must not take over
 * the filesystem already there (its mount stops with one sentence, and gc on it deletes
 * nothing), and a second live mount of the same filesystem (restored into another cache while
 * the first is mounted) must be refused until the first unmounts. Through it all the first
 * filesystem's evicted files read back byte-exact.
 */
class FilesystemIdentityTest {
    private BackupRig rig;

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

    @ParameterizedTest(name = "{0}")
    @EnumSource(TieringRig.RemoteKind.class)
    void aSecondCacheNeverTakesOverOrCollectsTheFilesystemOfTheFirst(TieringRig.RemoteKind remote, TestInfo test) throws IOException {
        rig = BackupRig.create(remote, test.getTestMethod().orElseThrow().getName() + "-" + remote,
                new BackupRig.Settings(0.000001, 0, 3600)); // a target of 1 kB: tier evicts every uploaded file
        Path mnt = rig.mount();
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            files.put("file" + i + ".bin", Data.random(i, 300_000 + i));
            Sys.writeFile(mnt.resolve("file" + i + ".bin"), files.get("file" + i + ".bin"));
        }
        rig.assertCli("tier", "--once");
        rig.assertCli("tier", "--once");
        rig.backUp();
        SortedSet<String> objects = rig.remoteKeys("");
        Path first = rig.cache();

        // A new, empty cache with the same config.yml: its mount is refused before anything is mounted.
        Path intruder = rig.work().resolve("second-cache");
        Path intruderMnt = Files.createDirectories(rig.work().resolve("second-mnt"));
        Shell.Result refused = rig.cliOn("mount", intruder, intruderMnt.toString());
        assertEquals(4, refused.exitCode(), "mounting a new cache on a remote that holds a filesystem; " + rig.describe(refused));
        assertTrue(refused.output().contains("the remote already holds the Zero filesystem 'zero'")
                && refused.output().contains("zero-cli restore") && refused.output().contains("filesystemName"),
                "the refusal names the filesystem and what to do; " + rig.describe(refused));
        assertEquals(1, refused.output().strip().lines().count(), "one sentence, no stack trace; " + rig.describe(refused));

        // gc on that cache deletes nothing: it has no backup of its own and is not the remote's filesystem.
        Shell.Result gc = rig.cliOn("gc", intruder);
        assertEquals(4, gc.exitCode(), rig.describe(gc));
        assertTrue(gc.output().contains("zero-cli backup"), rig.describe(gc));
        assertEquals(objects, rig.remoteKeys(""), "the remote after gc on the second cache");

        // The same filesystem restored into a third cache while the first is mounted: its mount is refused.
        Path twin = rig.work().resolve("restored-cache");
        Shell.Result restored = rig.cliOn("restore", twin);
        assertEquals(0, restored.exitCode(), rig.describe(restored));
        Shell.Result twinMount = rig.cliOn("mount", twin, intruderMnt.toString());
        assertEquals(4, twinMount.exitCode(), "a second live mount of one filesystem; " + rig.describe(twinMount));
        assertTrue(twinMount.output().contains("is in use by pid") && twinMount.output().contains("--take-over"),
                rig.describe(twinMount));

        files.forEach((name, content) -> assertArrayEquals(content, Sys.readFile(mnt.resolve(name)),
                "the first filesystem's evicted " + name + " reads back"));
        rig.unmount();

        // Once the first is unmounted, the restored cache mounts and reads the same files.
        rig.useCache(twin);
        Path twinMnt = rig.mount();
        files.forEach((name, content) -> assertArrayEquals(content, Sys.readFile(twinMnt.resolve(name)),
                "the restored cache's " + name));
        rig.unmount();
        rig.useCache(first);
    }
}
