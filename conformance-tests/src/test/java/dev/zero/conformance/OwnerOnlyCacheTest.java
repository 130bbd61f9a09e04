package dev.zero.conformance;

import static dev.zero.conformance.TieringRig.filesOnStatusLine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Zero only: what Zero keeps on disk (content, remote objects, the metadata store and its
 * journal, the lock, the socket) is readable by its owner alone, so another local user cannot
 * read a file that is private inside Zero, whatever it went through (upload, eviction, recall).
 * The work directory is opened to everybody (0755), so only Zero's own modes keep others out.
 * Runs as root, to become user nobody.
 */
class OwnerOnlyCacheTest {
    /** 0.5 MB, less than the file: every upload is followed by an eviction. */
    private static final double TARGET_GB = 0.0005;
    private static final int FILE_SIZE = 1 << 20;

    private TieringRig rig;

    @BeforeEach
    void requireTheJarAndRoot() {
        Assumptions.assumeTrue(ZeroMount.jarAvailable(), "no zero-cli jar at " + ZeroMount.jar() + " (build the cli module first)");
        Assumptions.assumeTrue(BackupRig.isRoot(), "becoming user nobody needs root");
    }

    @AfterEach
    void cleanUp() {
        if (rig != null) {
            rig.close();
        }
    }

    private Path mountWithWorkDirectoryOpenToAll(TestInfo test) throws IOException {
        rig = TieringRig.withLocalDirectory(test.getTestMethod().orElseThrow().getName(), TARGET_GB);
        Files.setPosixFilePermissions(rig.cache().getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        return rig.mount();
    }

    @Test
    void aPrivateFileStaysOwnerOnlyThroughUploadEvictionAndRecall(TestInfo test) throws IOException {
        Path mnt = mountWithWorkDirectoryOpenToAll(test);
        Path file = mnt.resolve("private");
        byte[] content = Data.random(1, FILE_SIZE);
        Sys.writeFile(file, content);
        Sys.chmod(file, 0600);
        Sys.setxattr(file, "user.secret", "an xattr value, kept in the journal");

        rig.assertTierOnceSucceeds();
        assertEquals(1, filesOnStatusLine(rig.assertStatus(), "remote only"), "the file must have been evicted");
        Path object = remoteObjectOf(file);
        assertOthersCannotRead(object);

        try (Fd open = Sys.open(file, Sys.O_RDONLY)) { // open: never evicted while we look
            assertArrayEquals(content, open.readToEnd(), "content recalled through the mount");
            assertOthersCannotRead(contentFileOf(file));
            assertOwnerOnly(rig.cache());
        }
        rig.unmount();
        assertOwnerOnly(rig.cache());
    }

    @Test
    void aCacheWithWideModesIsMadeOwnerOnlyAtTheNextMount(TestInfo test) throws IOException {
        Path mnt = mountWithWorkDirectoryOpenToAll(test);
        Path file = mnt.resolve("private");
        Sys.writeFile(file, Data.random(2, FILE_SIZE));
        Sys.chmod(file, 0600);
        rig.assertTierOnceSucceeds();
        Sys.readFile(file);
        rig.unmount();
        // What a cache made by an earlier version looks like: 0644 files in 0755 directories.
        Shell.Result widened = Shell.run(null, "chmod", "-R", "a+rX", rig.cache().toString());
        assertEquals(0, widened.exitCode(), widened.output());
        assertNotEquals(List.of(), wideEntries(rig.cache()), "chmod -R a+rX must have widened the cache");

        rig.mount();

        assertOwnerOnly(rig.cache());
        assertOthersCannotRead(remoteObjectOf(file));
    }

    /** Every file under {@code root} is 0600 (sockets included) and every directory 0700. */
    private static void assertOwnerOnly(Path root) {
        assertEquals(List.of(), wideEntries(root), "entries under " + root + " with modes other than 0600 (files) and 0700 (directories)");
    }

    private static List<String> wideEntries(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            TreeMap<String, String> wide = new TreeMap<>();
            for (Path path : paths.toList()) {
                if (Files.isSymbolicLink(path) || !Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
                String expected = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) ? "rwx------" : "rw-------";
                if (!mode.equals(expected)) {
                    wide.put(root.relativize(path).toString(), mode);
                }
            }
            // The first few are enough to see what went wrong; a content directory has 256 shards.
            return wide.entrySet().stream().limit(20).map(e -> e.getKey() + " " + e.getValue()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertOthersCannotRead(Path path) {
        assertTrue(Files.isRegularFile(path), path + " must exist");
        Shell.Result cat = Shell.asNobody("cat \"$1\"", path);
        assertNotEquals(0, cat.exitCode(), "user nobody read " + path + ": " + cat.output());
        assertTrue(cat.output().contains("Permission denied"), "cat " + path + " as nobody: " + cat.output());
    }

    private Path contentFileOf(Path file) {
        long ino = Sys.stat(file).ino();
        return rig.cache().resolve("content").resolve(String.format("%02x", ino & 0xff)).resolve(Long.toString(ino));
    }

    private Path remoteObjectOf(Path file) throws IOException {
        try (Stream<Path> objects = Files.list(rig.cache().resolve("remote").resolve(BackupRig.CONTENT_PREFIX).resolve(Long.toString(Sys.stat(file).ino())))) {
            return objects.findFirst().orElseThrow();
        }
    }
}
