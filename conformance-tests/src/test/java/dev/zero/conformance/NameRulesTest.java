package dev.zero.conformance;

import static dev.zero.conformance.ErrnoAssertions.assertErrno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import jnr.constants.platform.Errno;

/**
 * What a name may be, and what a call answers for one that cannot be. Every call that takes a
 * name component longer than 255 bytes answers ENAMETOOLONG, as on a local disk. A name is a
 * byte string: bytes that are not UTF-8 are stored and listed exactly, and two different byte
 * strings are two files.
 */
class NameRulesTest {
    private static final String LONG = "n".repeat(256);

    @OnBothRoots
    void everyCallWithANameOver255BytesAnswersEnametoolong(Root root) {
        Path dir = Sys.mkdir(root.resolve("dir"));
        Path file = root.resolve("file");
        Sys.writeFile(file, "x");
        Path tooLong = dir.resolve(LONG);
        assertErrno(Errno.ENAMETOOLONG, () -> Sys.open(tooLong, Sys.O_CREAT | Sys.O_RDWR, 0644), "open(O_CREAT)");
        assertErrno(Errno.ENAMETOOLONG, () -> Sys.chmod(tooLong, 0600), "chmod");
        assertErrno(Errno.ENAMETOOLONG, () -> Sys.chown(tooLong, 0, 0), "chown");
        assertErrno(Errno.ENAMETOOLONG, () -> Sys.link(file, tooLong), "link to a long name");
        assertErrno(Errno.ENAMETOOLONG, () -> Sys.link(tooLong, root.resolve("other")), "link from a long name");
        assertErrno(Errno.ENAMETOOLONG, () -> Sys.rename(file, tooLong), "rename to a long name");
        assertErrno(Errno.ENAMETOOLONG, () -> Sys.rename(tooLong, root.resolve("other")), "rename from a long name");
        assertErrno(Errno.ENAMETOOLONG, () -> Sys.rmdir(tooLong), "rmdir");
        assertErrno(Errno.ENAMETOOLONG, () -> Sys.truncate(tooLong, 0), "truncate");
        assertErrno(Errno.ENAMETOOLONG, () -> Sys.unlink(tooLong), "unlink");
        assertErrno(Errno.ENAMETOOLONG, () -> Sys.mkdir(tooLong), "mkdir");
        assertErrno(Errno.ENAMETOOLONG, () -> Sys.stat(tooLong), "stat");
        assertEquals("x", Sys.readString(file), "the file is untouched");
    }

    @OnBothRoots
    void truncateToASizeNoFileCanHaveAnswersEfbigAndChangesNothing(Root root) {
        Path file = root.resolve("file");
        Sys.writeFile(file, "kept");
        assertErrno(Errno.EFBIG, () -> Sys.truncate(file, 999_999_999_999_999L), "truncate -s 999999999999999");
        assertEquals(4, Sys.stat(file).size());
        assertEquals("kept", Sys.readString(file));
    }

    /** As a user types it: {@code echo A > $'\xff\xfe'; echo B > $'\xfe\xff'; cat $'\xff\xfe'}. */
    @OnBothRoots
    void namesThatAreNotUtf8AreStoredAndListedAsTheirBytes(Root root) {
        Shell.Result result = Shell.run(root.dir(), "bash", "-c",
                "{ echo A > $'\\xff\\xfe'; echo \"first $?\"; echo B > $'\\xfe\\xff'; echo \"second $?\";"
                        + " cat $'\\xff\\xfe' && echo \"read $?\"; ls | od -An -tx1 | tr -d ' \\n'; echo; } 2>&1 | cat -v");
        List<String> lines = result.output().lines().toList();
        assertTrue(lines.contains("first 0") && lines.contains("second 0"), "both names created: " + result.output());
        assertTrue(lines.contains("A") && !lines.contains("B"), "the first name reads its own content, A: " + result.output());
        assertTrue(result.output().contains("fffe0a") && result.output().contains("feff0a"), "both names listed as their bytes: " + result.output());
    }

    /** 255 bytes is the limit whatever the bytes are: 255 bytes of 0xff is a name, 256 is not. */
    @OnBothRoots
    void theLimitCountsBytesOfNamesThatAreNotUtf8(Root root) {
        Shell.Result result = Shell.run(root.dir(), "bash", "-c",
                "{ n=$(printf '\\xff%.0s' $(seq 255)); echo x > \"$n\" && echo \"made $?\"; cat \"$n\";"
                        + " (echo y > \"${n}\"$'\\xff') 2>/dev/null; echo \"longer $?\"; ls | wc -l; } 2>&1 | cat -v");
        List<String> lines = result.output().lines().toList();
        assertEquals(List.of("made 0", "x", "longer 1", "1"), lines, result.output());
    }
}
