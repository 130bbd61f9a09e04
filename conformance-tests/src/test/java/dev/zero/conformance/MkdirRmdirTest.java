package dev.zero.conformance;

import static dev.zero.conformance.ErrnoAssertions.assertErrno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jnr.constants.platform.Errno;

class MkdirRmdirTest {

    @OnBothRoots
    void mkdirCreatesAnEmptyDirectoryWithTheModeAndALinkCountOfTwo(Root root) {
        Path dir = root.resolve("dir");

        Sys.mkdir(dir, 0750);

        Stat st = Sys.stat(dir);
        assertTrue(st.isDirectory(), "mkdir must create a directory");
        assertEquals(0750, st.permissions(), "permissions of the new directory");
        assertEquals(2, st.nlink(), "a new directory has two links: its name and its own '.'");
        assertEquals(List.of(), Trees.names(dir), "a new directory must list no entries");
    }

    @OnBothRoots
    void mkdirOverAnExistingNameFailsWithEexist(Root root) {
        Path dir = Sys.mkdir(root.resolve("dir"));
        Path file = root.resolve("file");
        Sys.touch(file);

        assertErrno(Errno.EEXIST, () -> Sys.mkdir(dir), "mkdir of an existing directory");
        assertErrno(Errno.EEXIST, () -> Sys.mkdir(file), "mkdir over an existing file");
    }

    @OnBothRoots
    void rmdirRemovesAnEmptyDirectory(Root root) {
        Path dir = Sys.mkdir(root.resolve("dir"));

        Sys.rmdir(dir);

        assertErrno(Errno.ENOENT, () -> Sys.stat(dir), "stat after rmdir");
        assertEquals(List.of(), Trees.names(root.dir()), "listing of the parent after rmdir");
    }

    @OnBothRoots
    void rmdirOfANonEmptyDirectoryFailsWithEnotempty(Root root) {
        Path dir = Sys.mkdir(root.resolve("dir"));
        Sys.touch(dir.resolve("file"));

        assertErrno(Errno.ENOTEMPTY, () -> Sys.rmdir(dir), "rmdir of a directory holding a file");
        assertEquals(List.of("file"), Trees.names(dir), "a failed rmdir must keep the entries");
    }

    @OnBothRoots
    void rmdirOfAFileFailsWithEnotdir(Root root) {
        Path file = root.resolve("file");
        Sys.touch(file);

        assertErrno(Errno.ENOTDIR, () -> Sys.rmdir(file), "rmdir of a regular file");
    }

    @OnBothRoots
    void rmdirOfAMissingDirectoryFailsWithEnoent(Root root) {
        assertErrno(Errno.ENOENT, () -> Sys.rmdir(root.resolve("missing")), "rmdir of a missing directory");
    }

    @OnBothRoots
    void directoryLinkCountIsTwoPlusItsSubdirectories(Root root) {
        Path dir = Sys.mkdir(root.resolve("dir"));
        Sys.mkdir(dir.resolve("a"));
        Sys.mkdir(dir.resolve("b"));
        Sys.mkdir(dir.resolve("c"));
        Sys.touch(dir.resolve("file"));
        Sys.symlink("a", dir.resolve("link"));

        assertEquals(5, Sys.stat(dir).nlink(), "st_nlink with 3 subdirectories (files and symlinks do not count)");

        Sys.rmdir(dir.resolve("b"));
        assertEquals(4, Sys.stat(dir).nlink(), "st_nlink after rmdir of one subdirectory");
    }

    @OnBothRoots
    void renameOfASubdirectoryMovesOneLinkFromTheOldParentToTheNew(Root root) {
        Path a = Sys.mkdir(root.resolve("a"));
        Path b = Sys.mkdir(root.resolve("b"));
        Sys.mkdir(a.resolve("sub"));
        assertEquals(3, Sys.stat(a).nlink(), "st_nlink of the old parent before the rename");

        Sys.rename(a.resolve("sub"), b.resolve("sub"));

        assertEquals(2, Sys.stat(a).nlink(), "st_nlink of the old parent after its subdirectory moved out");
        assertEquals(3, Sys.stat(b).nlink(), "st_nlink of the new parent after a subdirectory moved in");
    }

    @OnBothRoots
    void renameOfASubdirectoryOverAnEmptyOneKeepsTheParentLinkCount(Root root) {
        Path parent = Sys.mkdir(root.resolve("parent"));
        Sys.mkdir(parent.resolve("from"));
        Sys.mkdir(parent.resolve("to"));
        assertEquals(4, Sys.stat(parent).nlink(), "st_nlink with two subdirectories");

        Sys.rename(parent.resolve("from"), parent.resolve("to"));

        assertEquals(3, Sys.stat(parent).nlink(), "st_nlink after one subdirectory replaced the other");
    }

    /**
     * POSIX readdir: a name that is in the directory throughout a listing is listed exactly once,
     * whatever is created and removed meanwhile. The listing is long enough to take many reads
     * of the kernel (and many READDIR requests), and names change between them.
     */
    @OnBothRoots
    void aDirectoryReadWhileItsNamesChangeListsEachNameThatStaysExactlyOnce(Root root) throws IOException {
        Path dir = Sys.mkdir(root.resolve("dir"));
        for (int i = 0; i < 3000; i++) {
            Sys.touch(dir.resolve(String.format("stays-%04d", i)));
        }
        for (int i = 0; i < 300; i++) {
            Sys.touch(dir.resolve(String.format("goes-%04d", i)));
        }
        Map<String, Integer> seen = new HashMap<>();
        Deque<String> listedToGo = new ArrayDeque<>();
        int read = 0;
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(dir)) {
            for (Path entry : listing) {
                String name = entry.getFileName().toString();
                seen.merge(name, 1, Integer::sum);
                if (name.startsWith("goes-")) {
                    listedToGo.add(name);
                }
                read++;
                if (read % 5 == 0 && !listedToGo.isEmpty()) { // a name already listed goes: what follows moves up
                    Sys.unlink(dir.resolve(listedToGo.remove()));
                }
                if (read % 50 == 0) {
                    Sys.touch(dir.resolve(String.format("new-%04d", read)));
                }
            }
        }
        for (int i = 0; i < 3000; i++) {
            String name = String.format("stays-%04d", i);
            assertEquals(1, seen.getOrDefault(name, 0), name + " listed");
        }
        seen.forEach((name, times) -> assertEquals(1, times, name + " listed"));
    }
}
