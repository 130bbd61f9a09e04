package dev.zero.conformance;

import static dev.zero.conformance.Sys.O_CREAT;
import static dev.zero.conformance.Sys.O_EXCL;
import static dev.zero.conformance.Sys.O_WRONLY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;

/** Real tools at work on each root: what users will do with Zero. */
class ToolInteropTest {

    /**
     * A small tree of the things tools copy: nested directories, text and binary files, an
     * executable, a private file, an empty file, a symlink and a hard link, with set mtimes.
     */
    private static Path sampleTree(Path dir) {
        Sys.mkdir(dir);
        Sys.mkdir(dir.resolve("src"));
        Sys.mkdir(dir.resolve("src/lib"), 0750);
        Sys.mkdir(dir.resolve("docs"));
        Sys.writeFile(dir.resolve("README"), "read me\n");
        Sys.writeFile(dir.resolve("src/main.c"), "int main(void) { return 0; }\n");
        Sys.writeFile(dir.resolve("src/lib/data.bin"), Data.pattern(0, 300_000));
        Sys.writeFile(dir.resolve("run.sh"), "#!/bin/sh\necho run\n");
        Sys.chmod(dir.resolve("run.sh"), 0755);
        Sys.writeFile(dir.resolve("private"), "secret\n");
        Sys.chmod(dir.resolve("private"), 0600);
        Sys.touch(dir.resolve("docs/empty"));
        Sys.symlink("../README", dir.resolve("docs/readme-link"));
        Sys.link(dir.resolve("README"), dir.resolve("docs/README.hard"));
        for (String path : Trees.list(dir)) {
            if (!Sys.lstat(dir.resolve(path)).isSymlink()) {
                Sys.setTimes(dir.resolve(path), Times.PAST_ATIME, Times.PAST_MTIME);
            }
        }
        return dir;
    }

    private static Shell.Result assertRuns(Path workingDir, String... command) {
        Shell.Result result = Shell.run(workingDir, command);
        assertEquals(0, result.exitCode(), String.join(" ", command) + " failed; output:\n" + result.output());
        return result;
    }

    private static void assertSameTree(Path expected, Path actual, String tool) {
        assertEquals(Trees.describe(expected), Trees.describe(actual), "type, permissions and content of each entry after " + tool);
    }

    private static void assertHardLinkKept(Path copy, String tool) {
        assertEquals(Sys.stat(copy.resolve("README")).ino(), Sys.stat(copy.resolve("docs/README.hard")).ino(),
                tool + " must keep README and docs/README.hard as one inode");
    }

    @OnBothRoots
    void cpArchiveCopiesATreeWithModesLinksAndTimes(Root root, @TempDir Path scratch) {
        Path source = sampleTree(scratch.resolve("source"));
        Path copy = root.resolve("copy");

        assertRuns(null, "cp", "-a", source.toString(), copy.toString());

        assertSameTree(source, copy, "cp -a");
        assertHardLinkKept(copy, "cp -a");
        assertEquals(Times.PAST_MTIME, Sys.stat(copy.resolve("src/lib/data.bin")).mtime(), "cp -a must keep mtime to the nanosecond");
        assertEquals(Times.PAST_MTIME, Sys.stat(copy.resolve("src")).mtime(), "cp -a must keep a directory's mtime");
    }

    @OnBothRoots
    void cpArchiveWithinTheRootCopiesATree(Root root) {
        Path source = sampleTree(root.resolve("source"));
        Path copy = root.resolve("copy");

        assertRuns(null, "cp", "-a", source.toString(), copy.toString());

        assertSameTree(source, copy, "cp -a within the root");
        assertHardLinkKept(copy, "cp -a within the root");
    }

    @OnBothRoots
    void tarExtractRecreatesATree(Root root, @TempDir Path scratch) {
        Path source = sampleTree(scratch.resolve("source"));
        Path archive = scratch.resolve("tree.tar");
        assertRuns(null, "tar", "--format=posix", "-cf", archive.toString(), "-C", source.toString(), ".");
        Path extracted = Sys.mkdir(root.resolve("extracted"));

        assertRuns(null, "tar", "-xf", archive.toString(), "-C", extracted.toString());

        assertSameTree(source, extracted, "tar x");
        assertHardLinkKept(extracted, "tar x");
        assertEquals(Times.PAST_MTIME, Sys.stat(extracted.resolve("src/lib/data.bin")).mtime(),
                "tar x of a POSIX-format archive must restore mtime to the nanosecond");
    }

    @OnBothRoots
    void tarCreateOfATreeOnTheRootReadsEveryEntry(Root root, @TempDir Path scratch) {
        Path tree = sampleTree(root.resolve("tree"));
        Path archive = scratch.resolve("tree.tar");
        Path extracted = Sys.mkdir(scratch.resolve("extracted"));

        assertRuns(null, "tar", "-cf", archive.toString(), "-C", tree.toString(), ".");
        assertRuns(null, "tar", "-xf", archive.toString(), "-C", extracted.toString());

        assertSameTree(tree, extracted, "tar c on the root and tar x elsewhere");
    }

    @OnBothRoots
    void gitInitAddCommitLeavesACleanConsistentRepository(Root root, @TempDir Path home) {
        Assumptions.assumeTrue(Shell.onPath("git"), "git is not installed");
        Path repo = sampleTree(root.resolve("repo"));
        Map<String, String> env = Map.of("HOME", home.toString(), "GIT_CONFIG_NOSYSTEM", "1",
                "GIT_AUTHOR_NAME", "Conformance", "GIT_AUTHOR_EMAIL", "conformance@example.invalid",
                "GIT_COMMITTER_NAME", "Conformance", "GIT_COMMITTER_EMAIL", "conformance@example.invalid");

        for (List<String> command : List.of(
                List.of("git", "init", "-q"),
                List.of("git", "add", "-A"),
                List.of("git", "commit", "-q", "-m", "first"),
                List.of("git", "gc", "-q"),
                List.of("git", "fsck", "--strict"))) {
            Shell.Result result = Shell.run(repo, env, command);
            assertEquals(0, result.exitCode(), String.join(" ", command) + " failed; output:\n" + result.output());
        }

        Shell.Result status = Shell.run(repo, env, List.of("git", "status", "--porcelain"));
        assertEquals(new Shell.Result(0, ""), status, "git status after the commit must show a clean work tree");
        Shell.Result files = Shell.run(repo, env, List.of("git", "ls-files"));
        assertTrue(files.output().contains("src/lib/data.bin"), "git ls-files must list the committed files: " + files.output());
    }

    @OnBothRoots
    void rsyncArchiveCopiesATree(Root root, @TempDir Path scratch) {
        Assumptions.assumeTrue(Shell.onPath("rsync"), "rsync is not installed");
        Path source = sampleTree(scratch.resolve("source"));
        Path copy = root.resolve("copy");

        assertRuns(null, "rsync", "-aH", source + "/", copy + "/");

        assertSameTree(source, copy, "rsync -aH");
        assertHardLinkKept(copy, "rsync -aH");
    }

    @OnBothRoots
    void editorStyleSaveReplacesTheFileAtomically(Root root) {
        Path document = root.resolve("document.txt");
        Sys.writeFile(document, "first draft\n");
        Path temp = root.resolve(".document.txt.swp");

        try (Fd fd = Sys.open(temp, O_WRONLY | O_CREAT | O_EXCL, 0644)) {
            fd.write("final version\n");
            fd.fsync();
        }
        long tempIno = Sys.stat(temp).ino();
        Sys.rename(temp, document);
        Sys.fsyncDirectory(root.dir());

        assertEquals("final version\n", Sys.readString(document), "the saved content");
        assertEquals(tempIno, Sys.stat(document).ino(), "the document is now the inode the editor wrote");
        assertEquals(List.of("document.txt"), Trees.names(root.dir()), "no temporary file may be left behind");
    }

    @OnBothRoots
    void makeBuildsACProgramAndSeesItUpToDate(Root root) {
        Assumptions.assumeTrue(Shell.onPath("make") && Shell.onPath("gcc"), "make or gcc is not installed");
        Path project = Sys.mkdir(root.resolve("project"));
        Sys.writeFile(project.resolve("hello.c"), "#include <stdio.h>\nint main(void) { puts(\"hello from make\"); return 0; }\n");
        Sys.writeFile(project.resolve("Makefile"), "hello: hello.c\n\tgcc -O1 -o hello hello.c\n");

        assertRuns(project, "make");
        assertEquals("hello from make\n", assertRuns(project, "./hello").output(), "output of the program make built");
        assertEquals(0, Shell.run(project, "make", "-q").exitCode(), "make -q right after a build must find the target up to date");

        Times.pause();
        Sys.writeFile(project.resolve("hello.c"), "#include <stdio.h>\nint main(void) { puts(\"changed\"); return 0; }\n");
        assertEquals(1, Shell.run(project, "make", "-q").exitCode(), "make -q after editing the source must find the target out of date");
        assertRuns(project, "make");
        assertEquals("changed\n", assertRuns(project, "./hello").output(), "output of the rebuilt program");
    }

    @OnBothRoots
    void findListsEveryEntryWithItsType(Root root) {
        Path tree = sampleTree(root.resolve("tree"));
        List<String> expected = new ArrayList<>();
        for (String path : Trees.list(tree)) {
            Stat st = Sys.lstat(tree.resolve(path));
            expected.add((st.isDirectory() ? "d" : st.isSymlink() ? "l" : "f") + " " + path);
        }

        Shell.Result result = assertRuns(tree, "find", ".", "-mindepth", "1", "-printf", "%y %P\\n");

        List<String> found = new ArrayList<>(result.output().lines().toList());
        found.sort(null);
        expected.sort(null);
        assertEquals(expected, found, "find's listing against readdir and lstat");
    }

    @OnBothRoots
    void duCountsTheBlocksOfWrittenData(Root root) {
        Path dir = Sys.mkdir(root.resolve("dir"));
        try (Fd fd = Sys.open(dir.resolve("data"), O_WRONLY | O_CREAT, 0644)) {
            fd.write(Data.pattern(0, 1024 * 1024));
            fd.fsync();
        }

        Shell.Result result = assertRuns(null, "du", "-sk", dir.toString());

        long kib = Long.parseLong(result.output().split("\\s+")[0]);
        assertTrue(kib >= 1024, "du must count at least the 1024 KiB written, but says " + kib + " KiB");
    }

    @OnBothRoots
    void dfReportsSizeAndFreeSpace(Root root) {
        Shell.Result result = assertRuns(null, "df", "-P", "-k", root.dir().toString());

        String[] fields = result.output().lines().skip(1).findFirst().orElseThrow().trim().split("\\s+");
        long totalKib = Long.parseLong(fields[1]);
        long availableKib = Long.parseLong(fields[3]);
        assertTrue(totalKib > 0, "df must report a total size: " + result.output());
        assertTrue(availableKib > 0, "df must report free space: " + result.output());
    }
}
