package dev.zero.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Instant;

/** chmod and chown as root. */
class ChmodChownTest {

    @OnBothRoots
    void chmodSetsEveryPermissionBitOfAFile(Root root) {
        Path file = root.resolve("file");
        Sys.touch(file);

        for (int mode : new int[] {0, 0400, 0640, 0755, 04755, 02750, 07777}) {
            Sys.chmod(file, mode);
            assertEquals(mode, Sys.stat(file).permissions(), "permissions after chmod 0" + Integer.toOctalString(mode));
        }
    }

    @OnBothRoots
    void chmodSetsTheStickyBitOfADirectory(Root root) {
        Path dir = Sys.mkdir(root.resolve("dir"));

        Sys.chmod(dir, 01777);

        Stat st = Sys.stat(dir);
        assertEquals(01777, st.permissions(), "permissions after chmod 01777");
        assertEquals(Stat.S_IFDIR, st.type(), "chmod must not change the file type");
    }

    @OnBothRoots
    void chmodChangesCtimeButNotMtime(Root root) {
        Path file = root.resolve("file");
        Sys.writeFile(file, "x");
        Sys.setTimes(file, Times.PAST_ATIME, Times.PAST_MTIME);
        Instant ctimeBefore = Sys.stat(file).ctime();
        Times.pause();

        Sys.chmod(file, 0600);

        Stat st = Sys.stat(file);
        Times.assertAdvanced(ctimeBefore, st.ctime(), "ctime after chmod");
        assertEquals(Times.PAST_MTIME, st.mtime(), "chmod must not change mtime");
        assertEquals(Times.PAST_ATIME, st.atime(), "chmod must not change atime");
    }

    @OnBothRoots
    void chownSetsOwnerAndGroup(Root root) {
        Path file = root.resolve("file");
        Sys.touch(file);

        Sys.chown(file, 1234, 5678);

        Stat st = Sys.stat(file);
        assertEquals(1234, st.uid(), "uid after chown");
        assertEquals(5678, st.gid(), "gid after chown");
    }

    @OnBothRoots
    void chownWithMinusOneLeavesThatIdAsItWas(Root root) {
        Path file = root.resolve("file");
        Sys.touch(file);
        Sys.chown(file, 1234, 5678);

        Sys.chown(file, -1, 42);
        assertEquals(1234, Sys.stat(file).uid(), "chown(-1, 42) must keep the uid");
        assertEquals(42, Sys.stat(file).gid(), "chown(-1, 42) must set the gid");

        Sys.chown(file, 99, -1);
        assertEquals(99, Sys.stat(file).uid(), "chown(99, -1) must set the uid");
        assertEquals(42, Sys.stat(file).gid(), "chown(99, -1) must keep the gid");
    }

    @OnBothRoots
    void chownOfADirectorySetsOwnerAndGroup(Root root) {
        Path dir = Sys.mkdir(root.resolve("dir"));

        Sys.chown(dir, 1234, 5678);

        Stat st = Sys.stat(dir);
        assertEquals(1234, st.uid(), "uid of a directory after chown");
        assertEquals(5678, st.gid(), "gid of a directory after chown");
    }

    @OnBothRoots
    void chownChangesCtimeButNotMtime(Root root) {
        Path file = root.resolve("file");
        Sys.writeFile(file, "x");
        Sys.setTimes(file, Times.PAST_ATIME, Times.PAST_MTIME);
        Instant ctimeBefore = Sys.stat(file).ctime();
        Times.pause();

        Sys.chown(file, 1234, 5678);

        Stat st = Sys.stat(file);
        Times.assertAdvanced(ctimeBefore, st.ctime(), "ctime after chown");
        assertEquals(Times.PAST_MTIME, st.mtime(), "chown must not change mtime");
        assertEquals(Times.PAST_ATIME, st.atime(), "chown must not change atime");
    }
}
