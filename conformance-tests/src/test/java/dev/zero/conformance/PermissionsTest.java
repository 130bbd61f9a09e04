package dev.zero.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

/**
 * Mode bits as seen by user nobody (65534, no groups). Zero mounts with default_permissions and
 * allow_other, so the kernel enforces the bits for other users exactly as on a native
 * filesystem. The per-test directory is 0755, so nobody can reach it. Failures are shown by the
 * tools' messages, which are strerror of the errno: "Permission denied" is EACCES and
 * "Operation not permitted" is EPERM.
 */
class PermissionsTest {
    private static final String EACCES = "Permission denied";
    private static final String EPERM = "Operation not permitted";

    private static Path file(Root root, String name, String content, int mode) {
        Path file = root.resolve(name);
        Sys.writeFile(file, content);
        Sys.chmod(file, mode);
        return file;
    }

    private static void assertDenied(Shell.Result result, String message, String what) {
        assertTrue(result.exitCode() != 0 && result.output().contains(message),
                what + " must fail with '" + message + "', but exit code " + result.exitCode() + ", output: " + result.output());
    }

    private static void assertAllowed(Shell.Result result, String what) {
        assertEquals(0, result.exitCode(), what + " must succeed; output: " + result.output());
    }

    @OnBothRoots
    void othersCannotReadAFileWithMode0600(Root root) {
        Path secret = file(root, "secret", "root only", 0600);

        assertDenied(Shell.asNobody("cat \"$1\"", secret), EACCES, "nobody reading a 0600 root file");
    }

    @OnBothRoots
    void othersCanReadAFileWithMode0644(Root root) {
        Path file = file(root, "public", "for everyone", 0644);

        Shell.Result result = Shell.asNobody("cat \"$1\"", file);

        assertAllowed(result, "nobody reading a 0644 file");
        assertEquals("for everyone", result.output(), "what nobody reads from a 0644 file");
    }

    @OnBothRoots
    void othersCannotWriteAFileWithMode0644(Root root) {
        Path file = file(root, "public", "for everyone", 0644);

        assertDenied(Shell.asNobody("printf more >> \"$1\"", file), EACCES, "nobody appending to a 0644 root file");
        assertDenied(Shell.asNobody(": > \"$1\"", file), EACCES, "nobody truncating a 0644 root file");
        assertEquals("for everyone", Sys.readString(file), "the file must be unchanged");
    }

    @OnBothRoots
    void othersCanWriteAFileWithMode0666(Root root) {
        Path file = file(root, "shared", "start", 0666);

        assertAllowed(Shell.asNobody("printf ' more' >> \"$1\"", file), "nobody appending to a 0666 file");
        assertEquals("start more", Sys.readString(file), "content after nobody appended");
    }

    @OnBothRoots
    void othersCannotTraverseADirectoryWithoutTheExecuteBit(Root root) {
        Path dir = Sys.mkdir(root.resolve("closed"), 0755);
        file(root, "closed/inside", "hidden", 0644);
        Sys.chmod(dir, 0744);

        assertDenied(Shell.asNobody("cat \"$1/inside\"", dir), EACCES, "nobody reading a file in a 0744 directory");
        assertDenied(Shell.asNobody("ls -d \"$1/inside\"", dir), EACCES, "nobody looking up a name in a 0744 directory");
    }

    @OnBothRoots
    void othersCannotListADirectoryWithoutTheReadBit(Root root) {
        Path dir = Sys.mkdir(root.resolve("unlisted"), 0711);
        file(root, "unlisted/known", "reachable by name", 0644);

        assertDenied(Shell.asNobody("ls \"$1\"", dir), EACCES, "nobody listing a 0711 directory");
        assertAllowed(Shell.asNobody("cat \"$1/known\"", dir), "nobody reading a file by name in a 0711 directory");
    }

    @OnBothRoots
    void othersCannotCreateInADirectoryWithMode0755(Root root) {
        Path dir = Sys.mkdir(root.resolve("dir"), 0755);

        assertDenied(Shell.asNobody("touch \"$1/new\"", dir), EACCES, "nobody creating a file in a 0755 root directory");
    }

    @OnBothRoots
    void aFileCreatedByAnotherUserBelongsToThatUser(Root root) {
        Path dir = Sys.mkdir(root.resolve("open"), 0777);

        assertAllowed(Shell.asNobody("printf mine > \"$1/mine\"", dir), "nobody creating a file in a 0777 directory");

        Stat st = Sys.stat(dir.resolve("mine"));
        assertEquals(Shell.NOBODY, st.uid(), "owner of a file nobody created");
        assertEquals(Shell.NOBODY, st.gid(), "group of a file nobody created");
        assertEquals(0644, st.permissions(), "mode of a file nobody created with umask 022");
    }

    @OnBothRoots
    void stickyDirectoryStopsOthersFromDeletingRootsFile(Root root) {
        Path tmp = Sys.mkdir(root.resolve("tmp"), 01777);
        Path rootsFile = file(root, "tmp/roots", "root's", 0666);

        assertDenied(Shell.asNobody("rm -f \"$1\"", rootsFile), EPERM, "nobody deleting root's file in a 1777 directory");
        assertDenied(Shell.asNobody("mv \"$1\" \"$2\"", rootsFile, tmp.resolve("stolen")), EPERM,
                "nobody renaming root's file in a 1777 directory");
        assertEquals("root's", Sys.readString(rootsFile), "root's file must still be there");
    }

    @OnBothRoots
    void stickyDirectoryLetsOthersDeleteTheirOwnFiles(Root root) {
        Path tmp = Sys.mkdir(root.resolve("tmp"), 01777);

        assertAllowed(Shell.asNobody("touch \"$1/own\" && rm \"$1/own\"", tmp), "nobody creating and deleting its own file in a 1777 directory");
    }

    @OnBothRoots
    void othersCannotChmodRootsFile(Root root) {
        Path file = file(root, "file", "x", 0644);

        assertDenied(Shell.asNobody("chmod 666 \"$1\"", file), EPERM, "nobody running chmod on root's file");
        assertEquals(0644, Sys.stat(file).permissions(), "the mode must be unchanged");
    }

    @OnBothRoots
    void rootCanReadAFileWithNoPermissionBits(Root root) {
        Path file = file(root, "locked", "root reads anyway", 0000);

        assertEquals("root reads anyway", Sys.readString(file), "root (CAP_DAC_OVERRIDE) reading a 0000 file");
    }
}
