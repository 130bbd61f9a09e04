package dev.zero.conformance;

import static dev.zero.conformance.ErrnoAssertions.assertErrno;
import static dev.zero.conformance.Sys.O_APPEND;
import static dev.zero.conformance.Sys.O_CREAT;
import static dev.zero.conformance.Sys.O_EXCL;
import static dev.zero.conformance.Sys.O_RDONLY;
import static dev.zero.conformance.Sys.O_RDWR;
import static dev.zero.conformance.Sys.O_TRUNC;
import static dev.zero.conformance.Sys.O_WRONLY;
import static dev.zero.conformance.Sys.SEEK_CUR;
import static dev.zero.conformance.Sys.SEEK_SET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import jnr.constants.platform.Errno;

class OpenCreateTest {

    @OnBothRoots
    void createMakesAnEmptyRegularFileWithTheRequestedModeOwnedByTheCaller(Root root) {
        Path file = root.resolve("new");
        Sys.open(file, O_WRONLY | O_CREAT | O_EXCL, 0640).close();

        Stat st = Sys.stat(file);
        assertTrue(st.isRegularFile(), "a created file must be a regular file");
        assertEquals(0640, st.permissions(), "mode must be the one given to open (umask 022 keeps 0640)");
        assertEquals(0, st.size(), "a new file must be empty");
        assertEquals(1, st.nlink(), "a new file has one name");
        assertEquals(0, st.uid(), "the file must belong to the calling user (root)");
        assertEquals(0, st.gid(), "the file must belong to the calling user's group (root)");
    }

    @OnBothRoots
    void createWithExclFailsWithEexistWhenTheNameExists(Root root) {
        Path file = root.resolve("existing");
        Sys.writeFile(file, "keep me");

        assertErrno(Errno.EEXIST, () -> Sys.open(file, O_WRONLY | O_CREAT | O_EXCL, 0644),
                "open(O_CREAT|O_EXCL) of an existing file");
        assertEquals("keep me", Sys.readString(file), "a failed exclusive create must not touch the file");
    }

    @OnBothRoots
    void createWithoutExclOpensTheExistingFileWithoutTruncating(Root root) {
        Path file = root.resolve("existing");
        Sys.writeFile(file, "keep me");

        Sys.open(file, O_WRONLY | O_CREAT, 0600).close();

        assertEquals("keep me", Sys.readString(file), "O_CREAT without O_TRUNC must keep the content");
        assertEquals(0644, Sys.stat(file).permissions(), "O_CREAT of an existing file must not change its mode");
    }

    @OnBothRoots
    void truncFlagEmptiesAnExistingFile(Root root) {
        Path file = root.resolve("file");
        Sys.writeFile(file, Data.pattern(0, 300_000));

        try (Fd fd = Sys.open(file, O_RDWR | O_TRUNC)) {
            assertEquals(0, fd.stat().size(), "fstat right after open(O_TRUNC) must show size 0");
            assertEquals(0, fd.readToEnd().length, "a file opened with O_TRUNC must read as empty");
        }
        assertEquals(0, Sys.stat(file).size(), "stat after open(O_TRUNC) must show size 0");
    }

    @OnBothRoots
    void appendWritesAtTheEndEvenAfterSeekingToTheStart(Root root) {
        Path file = root.resolve("log");
        Sys.writeFile(file, "first;");

        try (Fd fd = Sys.open(file, O_WRONLY | O_APPEND)) {
            fd.lseek(0, SEEK_SET);
            fd.write("second;");
            assertEquals(13, fd.lseek(0, SEEK_CUR), "after an O_APPEND write the offset must be the new end of file");
            fd.lseek(2, SEEK_SET);
            fd.write("third");
        }
        assertEquals("first;second;third", Sys.readString(file), "O_APPEND writes must land at the end, wherever the offset was");
    }

    @OnBothRoots
    void openOfAMissingFileFailsWithEnoent(Root root) {
        assertErrno(Errno.ENOENT, () -> Sys.open(root.resolve("missing"), O_RDONLY), "open of a missing file");
    }

    @OnBothRoots
    void createInAMissingDirectoryFailsWithEnoent(Root root) {
        assertErrno(Errno.ENOENT, () -> Sys.open(root.resolve("missing/new"), O_WRONLY | O_CREAT, 0644),
                "open(O_CREAT) in a missing directory");
    }

    @OnBothRoots
    void openOfADirectoryForWritingFailsWithEisdir(Root root) {
        Path dir = Sys.mkdir(root.resolve("dir"));

        assertErrno(Errno.EISDIR, () -> Sys.open(dir, O_WRONLY), "open(O_WRONLY) of a directory");
        assertErrno(Errno.EISDIR, () -> Sys.open(dir, O_RDWR), "open(O_RDWR) of a directory");
    }

    @OnBothRoots
    void openOfAPathThroughAFileFailsWithEnotdir(Root root) {
        Path file = root.resolve("file");
        Sys.touch(file);

        assertErrno(Errno.ENOTDIR, () -> Sys.open(file.resolve("child"), O_RDONLY), "open of file/child");
        assertErrno(Errno.ENOTDIR, () -> Sys.open(file.resolve("child"), O_WRONLY | O_CREAT, 0644),
                "open(O_CREAT) of file/child");
    }
}
