package dev.zero.conformance;

import static dev.zero.conformance.ErrnoAssertions.assertErrno;
import static dev.zero.conformance.Sys.O_NOFOLLOW;
import static dev.zero.conformance.Sys.O_RDONLY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import jnr.constants.platform.Errno;

class SymlinkTest {

    @OnBothRoots
    void symlinkStoresAnAbsoluteTargetExactly(Root root) {
        Path target = root.resolve("target");
        Sys.writeFile(target, "content");
        Path link = root.resolve("link");

        Sys.symlink(target.toString(), link);

        assertEquals(target.toString(), Sys.readlink(link), "readlink must return the target exactly as given");
        assertEquals("content", Sys.readString(link), "open through an absolute symlink must reach the target");
    }

    @OnBothRoots
    void lstatShowsASymlinkWhoseSizeIsTheTargetLength(Root root) {
        Path link = root.resolve("link");
        String target = "some/where/ü.txt";

        Sys.symlink(target, link);

        Stat st = Sys.lstat(link);
        assertTrue(st.isSymlink(), "lstat must show S_IFLNK, but mode is 0" + Integer.toOctalString(st.mode()));
        assertEquals(target.getBytes(StandardCharsets.UTF_8).length, st.size(), "st_size of a symlink is the length of its target in bytes");
    }

    @OnBothRoots
    void relativeSymlinkIsResolvedFromTheDirectoryItIsIn(Root root) {
        Path data = Sys.mkdir(root.resolve("data"));
        Path links = Sys.mkdir(root.resolve("links"));
        Sys.writeFile(data.resolve("file"), "content");

        Sys.symlink("../data/file", links.resolve("link"));

        assertEquals("../data/file", Sys.readlink(links.resolve("link")), "readlink of a relative symlink");
        assertEquals("content", Sys.readString(links.resolve("link")), "open through a relative symlink");
    }

    @OnBothRoots
    void statFollowsTheSymlinkToItsTarget(Root root) {
        Path target = root.resolve("target");
        Sys.writeFile(target, "content");
        Path link = root.resolve("link");
        Sys.symlink("target", link);

        Stat st = Sys.stat(link);

        assertEquals(Sys.stat(target).ino(), st.ino(), "stat through a symlink must show the target's st_ino");
        assertTrue(st.isRegularFile(), "stat through a symlink must show the target's type");
        assertEquals(7, st.size(), "stat through a symlink must show the target's size");
    }

    @OnBothRoots
    void symlinkToADirectoryCanBeTraversed(Root root) {
        Path dir = Sys.mkdir(root.resolve("dir"));
        Sys.writeFile(dir.resolve("file"), "inside");
        Sys.symlink("dir", root.resolve("link"));

        assertEquals("inside", Sys.readString(root.resolve("link/file")), "open of a path through a symlink to a directory");
    }

    @OnBothRoots
    void danglingSymlinkCanBeCreatedAndReadButNotFollowed(Root root) {
        Path link = root.resolve("dangling");

        Sys.symlink("nowhere", link);

        assertEquals("nowhere", Sys.readlink(link), "readlink of a dangling symlink");
        assertTrue(Sys.lstat(link).isSymlink(), "lstat of a dangling symlink");
        assertErrno(Errno.ENOENT, () -> Sys.stat(link), "stat through a dangling symlink");
        assertErrno(Errno.ENOENT, () -> Sys.open(link, O_RDONLY), "open through a dangling symlink");
    }

    @OnBothRoots
    void symlinkOverAnExistingNameFailsWithEexist(Root root) {
        Path taken = root.resolve("taken");
        Sys.touch(taken);

        assertErrno(Errno.EEXIST, () -> Sys.symlink("anything", taken), "symlink over an existing name");
    }

    @OnBothRoots
    void openWithNofollowOfASymlinkFailsWithEloop(Root root) {
        Sys.touch(root.resolve("target"));
        Path link = root.resolve("link");
        Sys.symlink("target", link);

        assertErrno(Errno.ELOOP, () -> Sys.open(link, O_RDONLY | O_NOFOLLOW), "open(O_NOFOLLOW) of a symlink");
    }

    @OnBothRoots
    void readlinkOfARegularFileFailsWithEinval(Root root) {
        Path file = root.resolve("file");
        Sys.touch(file);

        assertErrno(Errno.EINVAL, () -> Sys.readlink(file), "readlink of a regular file");
    }
}
