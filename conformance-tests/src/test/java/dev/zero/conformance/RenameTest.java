package dev.zero.conformance;

import static dev.zero.conformance.ErrnoAssertions.assertErrno;
import static dev.zero.conformance.Sys.O_RDONLY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import jnr.constants.platform.Errno;

/** rename(2). Within one filesystem it never fails with EXDEV: every call here would throw it. */
class RenameTest {

    @OnBothRoots
    void renameOfAFileWithinADirectoryMovesTheNameAndKeepsTheInode(Root root) {
        Path from = root.resolve("from");
        Path to = root.resolve("to");
        Sys.writeFile(from, "content");
        long ino = Sys.stat(from).ino();

        Sys.rename(from, to);

        assertErrno(Errno.ENOENT, () -> Sys.stat(from), "stat of the old name after rename");
        assertEquals(ino, Sys.stat(to).ino(), "rename must keep st_ino");
        assertEquals("content", Sys.readString(to), "content under the new name");
        assertEquals(List.of("to"), Trees.names(root.dir()), "directory listing after rename");
    }

    @OnBothRoots
    void renameOfAFileAcrossDirectoriesMovesTheNameAndKeepsTheInode(Root root) {
        Path a = Sys.mkdir(root.resolve("a"));
        Path b = Sys.mkdir(root.resolve("b"));
        Sys.writeFile(a.resolve("file"), "content");
        long ino = Sys.stat(a.resolve("file")).ino();

        Sys.rename(a.resolve("file"), b.resolve("moved"));

        assertEquals(List.of(), Trees.names(a), "old directory after rename");
        assertEquals(List.of("moved"), Trees.names(b), "new directory after rename");
        assertEquals(ino, Sys.stat(b.resolve("moved")).ino(), "rename across directories must keep st_ino");
        assertEquals("content", Sys.readString(b.resolve("moved")), "content under the new name");
    }

    @OnBothRoots
    void renameOfADirectoryTreeAcrossDirectoriesMovesEverythingBelowIt(Root root) {
        Path src = Sys.mkdir(root.resolve("src"));
        Path dst = Sys.mkdir(root.resolve("dst"));
        Path tree = Sys.mkdir(src.resolve("tree"));
        Sys.mkdir(tree.resolve("sub"));
        Sys.writeFile(tree.resolve("top"), "top");
        Sys.writeFile(tree.resolve("sub/deep"), "deep");
        Sys.symlink("sub/deep", tree.resolve("link"));
        List<String> before = Trees.list(tree);
        long ino = Sys.stat(tree).ino();

        Sys.rename(tree, dst.resolve("moved"));

        Path moved = dst.resolve("moved");
        assertErrno(Errno.ENOENT, () -> Sys.stat(tree), "stat of the old directory name");
        assertEquals(ino, Sys.stat(moved).ino(), "the renamed directory must keep its st_ino");
        assertEquals(before, Trees.list(moved), "entries below the renamed directory");
        assertEquals("deep", Sys.readString(moved.resolve("sub/deep")), "a file two levels down, by its new path");
        assertEquals("deep", Sys.readString(moved.resolve("link")), "a relative symlink inside the moved tree");
    }

    @OnBothRoots
    void renameOverAnExistingFileReplacesIt(Root root) {
        Path from = root.resolve("new");
        Path to = root.resolve("old");
        Sys.writeFile(from, "new content");
        Sys.writeFile(to, "old content");
        long ino = Sys.stat(from).ino();

        Sys.rename(from, to);

        assertEquals(ino, Sys.stat(to).ino(), "the target name must now be the source inode");
        assertEquals("new content", Sys.readString(to), "content of the target name");
        assertEquals(List.of("old"), Trees.names(root.dir()), "directory listing after rename over a file");
    }

    /**
     * POSIX: "a link named new shall remain visible to other threads throughout the renaming
     * operation and refer either to the file referred to by new or old before the operation began."
     *
     * <p>The name is watched through readdir, which shows the filesystem's own directory. An
     * open() or stat() by path racing the rename is no fair probe through libfuse2's high-level
     * (path-based) API, which jnr-fuse uses: when the kernel looked up the old inode just before
     * the rename, its following OPEN or GETATTR names a node that no longer has a path, and libfuse
     * itself answers ENOENT. bindfs fails such a probe too (about 1 open in 10 during a rename loop).
     */
    @OnBothRoots
    void renameOverAnExistingFileNeverLetsTheTargetNameDisappear(Root root) throws InterruptedException {
        Path dir = Sys.mkdir(root.resolve("dir"));
        Path target = dir.resolve("target");
        Sys.writeFile(target, "version 0");
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<List<String>> missing = new AtomicReference<>();
        Thread watcher = new Thread(() -> {
            while (!done.get() && missing.get() == null) {
                List<String> names = Trees.names(dir);
                if (!names.contains("target")) {
                    missing.set(names);
                }
            }
        });
        watcher.start();
        try {
            for (int i = 1; i <= 300 && missing.get() == null; i++) {
                Path temp = root.resolve("temp" + i);
                Sys.writeFile(temp, "version " + i);
                Sys.rename(temp, target);
            }
        } finally {
            done.set(true);
            watcher.join();
        }

        assertNull(missing.get(), "readdir during 300 renames over 'target' must always list it; once it listed only");
        assertEquals(List.of("target"), Trees.names(dir), "only the target must remain");
        assertEquals("version 300", Sys.readString(target), "the target must hold the last renamed file");
    }

    @OnBothRoots
    void renameOfADirectoryOverAnEmptyDirectoryReplacesIt(Root root) {
        Path from = Sys.mkdir(root.resolve("from"));
        Path to = Sys.mkdir(root.resolve("to"));
        Sys.writeFile(from.resolve("inside"), "x");
        long ino = Sys.stat(from).ino();

        Sys.rename(from, to);

        assertEquals(ino, Sys.stat(to).ino(), "the target name must now be the source directory");
        assertEquals(List.of("inside"), Trees.names(to), "entries of the renamed directory");
        assertEquals(List.of("to"), Trees.names(root.dir()), "directory listing after rename over an empty directory");
    }

    @OnBothRoots
    void renameOfADirectoryOverANonEmptyDirectoryFailsWithEnotempty(Root root) {
        Path from = Sys.mkdir(root.resolve("from"));
        Path to = Sys.mkdir(root.resolve("to"));
        Sys.touch(to.resolve("occupant"));

        // POSIX allows EEXIST or ENOTEMPTY here; Linux returns ENOTEMPTY and programs expect it.
        assertErrno(Errno.ENOTEMPTY, () -> Sys.rename(from, to), "rename of a directory over a non-empty directory");
        assertEquals(List.of("occupant"), Trees.names(to), "the target directory must be untouched");
    }

    @OnBothRoots
    void renameOfAFileOverADirectoryFailsWithEisdir(Root root) {
        Path file = root.resolve("file");
        Sys.touch(file);
        Path dir = Sys.mkdir(root.resolve("dir"));

        assertErrno(Errno.EISDIR, () -> Sys.rename(file, dir), "rename of a file over a directory");
    }

    @OnBothRoots
    void renameOfADirectoryOverAFileFailsWithEnotdir(Root root) {
        Path dir = Sys.mkdir(root.resolve("dir"));
        Path file = root.resolve("file");
        Sys.touch(file);

        assertErrno(Errno.ENOTDIR, () -> Sys.rename(dir, file), "rename of a directory over a file");
    }

    @OnBothRoots
    void renameOfADirectoryIntoItsOwnSubtreeFailsWithEinval(Root root) {
        Path dir = Sys.mkdir(root.resolve("dir"));
        Path sub = Sys.mkdir(dir.resolve("sub"));

        assertErrno(Errno.EINVAL, () -> Sys.rename(dir, sub.resolve("loop")), "rename of a directory into its own subdirectory");
        assertErrno(Errno.EINVAL, () -> Sys.rename(dir, dir.resolve("self")), "rename of a directory into itself");
    }

    @OnBothRoots
    void renameOfOneHardLinkOntoAnotherOfTheSameInodeDoesNothing(Root root) {
        Path first = root.resolve("first");
        Path second = root.resolve("second");
        Sys.writeFile(first, "shared");
        Sys.link(first, second);

        Sys.rename(first, second);

        // POSIX: "If the old argument and the new argument resolve to the same existing file,
        // rename() shall return successfully and perform no other action."
        assertEquals(List.of("first", "second"), Trees.names(root.dir()), "both names must still exist");
        assertEquals(2, Sys.stat(first).nlink(), "st_nlink must still be 2");
        assertEquals("shared", Sys.readString(second), "content must be unchanged");
    }

    @OnBothRoots
    void renameOfAMissingNameFailsWithEnoent(Root root) {
        assertErrno(Errno.ENOENT, () -> Sys.rename(root.resolve("missing"), root.resolve("to")), "rename of a missing name");
    }

    @OnBothRoots
    void renameOfADirectoryHolding10000FilesTakesUnderOneSecond(Root root) {
        Path a = Sys.mkdir(root.resolve("a"));
        Path b = Sys.mkdir(root.resolve("b"));
        Path big = Sys.mkdir(a.resolve("big"));
        for (int i = 0; i < 10_000; i++) {
            Sys.mknod(big.resolve("f" + i), Stat.S_IFREG | 0644, 0);
        }

        long start = System.nanoTime();
        Sys.rename(big, b.resolve("big"));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertTrue(elapsed.compareTo(Duration.ofSeconds(1)) < 0,
                "renaming a directory must only change its entry, whatever it holds; with 10,000 files it took " + elapsed.toMillis() + " ms");
        assertEquals(10_000, Trees.names(b.resolve("big")).size(), "entries in the renamed directory");
        assertTrue(Sys.stat(b.resolve("big/f9999")).isRegularFile(), "a file in the renamed directory, by its new path");
    }
}
