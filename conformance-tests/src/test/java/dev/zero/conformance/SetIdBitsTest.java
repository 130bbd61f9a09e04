package dev.zero.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;

/**
 * Linux drops a file's setuid and setgid bits when its content or owner changes, so that a
 * changed program does not run with its old owner's rights: on a write or a truncate by a
 * process without CAP_FSETID (setgid only with group execute, or if the writer is not in the
 * file's group), and on every chown of a file, root's too. Zero's mount must do exactly what
 * the disk does, whichever way the write goes (through Zero, or by kernel passthrough).
 */
class SetIdBitsTest {
    private static Path file(Root root, String name, int mode) {
        Path file = root.resolve(name);
        Sys.writeFile(file, "#!/bin/sh\n");
        Sys.chmod(file, mode);
        return file;
    }

    private static void asNobody(String script, Path... args) {
        Shell.Result result = Shell.asNobody(script, args);
        assertEquals(0, result.exitCode(), script + " as nobody must succeed; output: " + result.output());
    }

    private static void assertMode(int expected, Path file, String why) {
        assertEquals(Integer.toOctalString(expected), Integer.toOctalString(Sys.stat(file).permissions()), why);
    }

    @OnBothRoots
    void aWriteByAnotherUserDropsSetuidAndSetgid(Root root) {
        Path tool = file(root, "tool", 06777);
        Path shared = file(root, "shared", 02666); // setgid without group execute; nobody is not in its group

        asNobody("printf more >> \"$1\" && printf more >> \"$2\"", tool, shared);

        assertMode(0777, tool, "the mode after nobody wrote to a 06777 file");
        assertMode(0666, shared, "the mode after nobody wrote to a 02666 file of a group it is not in");
        assertEquals("#!/bin/sh\nmore", Sys.readString(tool), "what nobody wrote");
    }

    @OnBothRoots
    void aWriteByRootKeepsThem(Root root) {
        Path tool = file(root, "tool", 06755);

        Sys.writeFile(tool, "#!/bin/sh\necho new\n");

        assertMode(06755, tool, "the mode after root (CAP_FSETID) rewrote a 06755 file");
    }

    @OnBothRoots
    void aTruncateByAnotherUserDropsThem(Root root) {
        Path opened = file(root, "opened", 06777);
        Path truncated = file(root, "truncated", 06777);

        asNobody(": > \"$1\" && truncate -s 1 \"$2\"", opened, truncated);

        assertMode(0777, opened, "the mode after nobody opened a 06777 file with O_TRUNC");
        assertMode(0777, truncated, "the mode after nobody truncated a 06777 file");
    }

    @OnBothRoots
    void aChownDropsThemEvenByRoot(Root root) {
        Path tool = file(root, "tool", 06755);
        Path lockable = file(root, "lockable", 02644); // setgid without group execute stays

        Sys.chown(tool, Shell.NOBODY, Shell.NOBODY);
        Sys.chown(lockable, Shell.NOBODY, Shell.NOBODY);

        assertMode(0755, tool, "the mode after root gave a 06755 file away");
        assertMode(02644, lockable, "the mode after root gave a 02644 file away");
    }
}
