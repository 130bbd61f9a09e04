package dev.zero.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jnr.constants.platform.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What Zero's own binding of the kernel's protocol gives a user: local files read and written
 * by the kernel itself (passthrough) with stat right all along, the kernel's caches kept true
 * when tiering changes a file behind its back, and a rename that an open never sees half done.
 */
class KernelPathTest {
    private static final Pattern REQUEST = Pattern.compile("request \\d+ \\(opcode (\\d+),");
    private static final Pattern REQUEST_ON_NODE = Pattern.compile("request \\d+ \\(opcode (\\d+), node (\\d+),");
    private static final int LOOKUP = 1;
    private static final int GETATTR = 3;
    private static final int READ = 15;
    private static final int WRITE = 16;
    private static final int GETXATTR = 22;
    private static final int READDIR = 28;
    private static final int OPENDIR = 27;
    private static final int RELEASEDIR = 29;
    private static final int READDIRPLUS = 44;

    @TempDir
    Path dir;

    @Test
    void withPassthroughTheDaemonSeesNoReadOrWriteOfALocalFileAndStatIsRightThroughout() throws IOException {
        assumeTrue(BackupRig.isRoot(), "passthrough needs root");
        Map<Integer, Integer> requests = writeReadAndCount();
        assertEquals(0, requests.getOrDefault(WRITE, 0), "WRITE requests the daemon answered with passthrough: " + requests);
        assertEquals(0, requests.getOrDefault(READ, 0), "READ requests the daemon answered with passthrough: " + requests);
    }

    @Test
    void withoutPassthroughTheSameWorkloadGoesThroughZeroInLargeRequests() throws IOException {
        Map<Integer, Integer> requests = writeReadAndCount("--no-passthrough");
        int writes = requests.getOrDefault(WRITE, 0);
        assertTrue(writes > 0 && writes <= 8, "4 MiB written in requests of up to 1 MiB: " + writes + " WRITE requests");
    }

    /**
     * The kernel asks whether a file has security.capability before a write drops it: once per
     * inode, since Zero drops set-id bits itself (FUSE_HANDLE_KILLPRIV_V2), not before every
     * write(2), which made each small write two requests (and one for a passthrough write that
     * needs none).
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void smallWritesAskForSecurityXattrsOncePerFileNotOncePerWrite(boolean passthrough) throws IOException {
        assumeTrue(!passthrough || BackupRig.isRoot(), "passthrough needs root");
        Path config = Files.writeString(dir.resolve("config.yml"), "");
        String[] options = passthrough ? new String[] {"--debug"} : new String[] {"--debug", "--no-passthrough"};
        try (ZeroMount mount = ZeroMount.start(dir.resolve("mnt"), dir.resolve("cache"), config, options)) {
            byte[] block = Data.random(10, 4096);
            for (String name : new String[] {"one", "two"}) {
                try (Fd fd = Sys.open(mount.mountpoint().resolve(name), Sys.O_CREAT | Sys.O_WRONLY, 0644)) {
                    for (int i = 0; i < 100; i++) {
                        fd.write(block);
                    }
                }
            }
            assertEquals(100 * 4096, Sys.stat(mount.mountpoint().resolve("two")).size(), "size after 100 writes of 4 KiB");
            Map<Integer, Integer> requests = new HashMap<>();
            Matcher m = REQUEST.matcher(mount.log());
            while (m.find()) {
                requests.merge(Integer.parseInt(m.group(1)), 1, Integer::sum);
            }
            int asked = requests.getOrDefault(GETXATTR, 0);
            assertTrue(asked <= 2, "GETXATTR requests for 200 writes to 2 files: " + asked + " (" + requests + ")");
            mount.unmount();
        }
    }

    /** Writes 4 MiB (stat checked while open, then fsync), reads it back, remounts; returns the requests per opcode. */
    private Map<Integer, Integer> writeReadAndCount(String... extraOptions) throws IOException {
        Path mnt = dir.resolve("mnt");
        Path cache = dir.resolve("cache");
        Path config = Files.writeString(dir.resolve("config.yml"), "");
        byte[] content = Data.random(9, 4 << 20);
        String[] options = new String[extraOptions.length + 1];
        options[0] = "--debug";
        System.arraycopy(extraOptions, 0, options, 1, extraOptions.length);
        Map<Integer, Integer> requests = new HashMap<>();
        try (ZeroMount mount = ZeroMount.start(mnt, cache, config, options)) {
            Path file = mnt.resolve("file");
            try (Fd fd = Sys.open(file, Sys.O_CREAT | Sys.O_RDWR, 0644)) {
                fd.write(content);
                assertEquals(content.length, Sys.stat(file).size(), "stat while the file is open for writing");
                fd.fsync();
            }
            java.time.Instant mtime = Sys.stat(file).mtime();
            assertArrayEquals(content, Sys.readFile(file), "content read back");
            String log = mount.log();
            Matcher m = REQUEST.matcher(log);
            while (m.find()) {
                requests.merge(Integer.parseInt(m.group(1)), 1, Integer::sum);
            }
            mount.unmount();
            try (ZeroMount again = ZeroMount.start(mnt, cache, config, extraOptions)) {
                assertEquals(content.length, Sys.stat(file).size(), "size after a remount");
                assertEquals(mtime, Sys.stat(file).mtime(), "mtime after a remount: the one the write left");
                assertArrayEquals(content, Sys.readFile(file), "content after a remount");
                again.unmount();
            }
        }
        return requests;
    }

    /** Eviction empties the local copy: stat must show st_blocks 0 at once, though the kernel cached the attributes. */
    @Test
    void statShowsAnEvictionAtOnceThoughTheKernelCachedTheAttributes(TestInfo test) throws IOException {
        try (TieringRig rig = TieringRig.withLocalDirectory(test.getTestMethod().get().getName(), 0.0001)) {
            rig.setUploadDelaySeconds(0);
            Path mnt = rig.mount();
            Path file = mnt.resolve("file");
            Sys.writeFile(file, Data.random(3, 1 << 20));
            assertTrue(Sys.stat(file).blocks() > 0, "a local file occupies blocks");
            rig.assertTierOnceSucceeds();
            assertEquals(0, Sys.stat(file).blocks(), "st_blocks of the evicted file, right after the tier pass");
            assertEquals(1 << 20, Sys.stat(file).size(), "its size");
            rig.unmount();
        }
    }

    /**
     * The kernel keeps a directory's listing across opens (FOPEN_CACHE_DIR): a listing read again
     * costs the daemon no READDIR, and every change made since shows in the next one.
     */
    @Test
    void aDirectoryListedAgainComesFromTheKernelAndShowsEveryChangeSince() throws Exception {
        Path mnt = dir.resolve("mnt");
        try (ZeroMount mount = ZeroMount.start(mnt, dir.resolve("cache"), Files.writeString(dir.resolve("config.yml"), ""), "--debug")) {
            Path d = Sys.mkdir(mnt.resolve("d"));
            Path other = Sys.mkdir(mnt.resolve("other"));
            Sys.writeFile(d.resolve("a"), "a");
            Sys.writeFile(other.resolve("b"), "b");
            long node = Sys.stat(d).ino();
            assertEquals(List.of("a"), Trees.names(d));
            Map<Integer, Integer> first = requestsOn(mount, node);

            assertEquals(List.of("a"), Trees.names(d));
            Map<Integer, Integer> second = requestsOn(mount, node);
            assertEquals(readdirs(first), readdirs(second), "READDIR requests for a listing the kernel has");
            assertTrue(second.getOrDefault(OPENDIR, 0) <= 1 && second.getOrDefault(RELEASEDIR, 0) == 0,
                    "Zero answers no OPENDIR, so the kernel sends none after its first, and no RELEASEDIR: " + second);

            Sys.writeFile(d.resolve("new"), "n");
            assertEquals(List.of("a", "new"), Trees.names(d), "after a create");
            Sys.rename(other.resolve("b"), d.resolve("b"));
            assertEquals(List.of("a", "b", "new"), Trees.names(d), "after a rename into it");
            assertEquals(List.of(), Trees.names(other), "the directory renamed out of");
            Sys.link(d.resolve("a"), d.resolve("a2"));
            Sys.mkdir(d.resolve("sub"));
            Sys.unlink(d.resolve("new"));
            assertEquals(List.of("a", "a2", "b", "sub"), Trees.names(d), "after a link, a mkdir and an unlink");
            Sys.rename(d.resolve("b"), d.resolve("a")); // over an existing name
            assertEquals(List.of("a", "a2", "sub"), Trees.names(d), "after a rename over a name");
            mount.unmount();
        }
    }

    /**
     * A listing of names whose inodes the kernel has already comes without their attributes
     * (READDIRPLUS entries with node id 0), which the kernel holds anyway: readdir still gives each
     * entry's inode number and type, which find and rm -rf go by, and a stat after it asks the
     * daemon nothing.
     */
    @Test
    void aListingOfFilesTheKernelHoldsGivesTheirInodesAndTypesAndStatAfterItAsksNothing() throws Exception {
        Path mnt = dir.resolve("mnt");
        try (ZeroMount mount = ZeroMount.start(mnt, dir.resolve("cache"), Files.writeString(dir.resolve("config.yml"), ""), "--debug")) {
            Path d = Sys.mkdir(mnt.resolve("d"));
            Sys.writeFile(d.resolve("file"), "12345");
            Sys.link(d.resolve("file"), d.resolve("hardlink"));
            Sys.mkdir(d.resolve("sub"));
            Sys.symlink("file", d.resolve("symlink"));
            Map<String, Stat> stats = new TreeMap<>();
            for (String name : List.of("file", "hardlink", "sub", "symlink")) {
                stats.put(name, Sys.lstat(d.resolve(name)));
            }
            StringBuilder expected = new StringBuilder();
            stats.forEach((name, st) -> expected.append(name).append(' ').append(st.ino()).append(' ')
                    .append(st.type() == Stat.S_IFDIR ? "dir" : st.type() == Stat.S_IFLNK ? "symlink" : "file").append('\n'));
            long node = Sys.stat(d).ino();

            assertEquals(expected.toString(), scandir(d), "name, d_ino and d_type of each entry");
            Map<Integer, Integer> before = requestsOn(mount, stats, node);
            for (Map.Entry<String, Stat> e : stats.entrySet()) {
                Stat st = Sys.lstat(d.resolve(e.getKey()));
                assertEquals(e.getValue().ino(), st.ino(), e.getKey());
                assertEquals(e.getValue().size(), st.size(), e.getKey());
                assertEquals(e.getValue().nlink(), st.nlink(), e.getKey());
            }
            assertEquals(expected.toString(), scandir(d), "listed again");
            assertEquals(before, requestsOn(mount, stats, node), "LOOKUP and GETATTR requests for the stats after the listing");
            mount.unmount();
        }
    }

    /** Each entry of the directory as readdir(3) gives it, without a stat: name, d_ino, d_type. */
    private static String scandir(Path directory) {
        Shell.Result listed = Shell.run(null, "/usr/bin/python3", "-c", String.join("\n",
                "import os, sys",
                "for e in sorted(os.scandir(sys.argv[1]), key=lambda e: e.name):",
                "    kind = 'dir' if e.is_dir(follow_symlinks=False) else 'symlink' if e.is_symlink() else 'file'",
                "    print(e.name, e.inode(), kind)"), directory.toString());
        assertEquals(0, listed.exitCode(), listed.output());
        return listed.output();
    }

    /** LOOKUPs in the directory {@code node} and GETATTRs of the files of {@code stats}, up to now. */
    private static Map<Integer, Integer> requestsOn(ZeroMount mount, Map<String, Stat> stats, long node) throws InterruptedException {
        Set<Long> files = new HashSet<>();
        stats.values().forEach(st -> files.add(st.ino()));
        Map<Integer, Integer> counts = new TreeMap<>();
        Matcher m = REQUEST_ON_NODE.matcher(settledLog(mount));
        while (m.find()) {
            int opcode = Integer.parseInt(m.group(1));
            long on = Long.parseLong(m.group(2));
            if (opcode == LOOKUP && on == node || opcode == GETATTR && files.contains(on)) {
                counts.merge(opcode, 1, Integer::sum);
            }
        }
        return counts;
    }

    /** The requests of each opcode on {@code node} up to now. */
    private static Map<Integer, Integer> requestsOn(ZeroMount mount, long node) throws InterruptedException {
        Map<Integer, Integer> counts = new TreeMap<>();
        Matcher m = REQUEST_ON_NODE.matcher(settledLog(mount));
        while (m.find()) {
            if (Long.parseLong(m.group(2)) == node) {
                counts.merge(Integer.parseInt(m.group(1)), 1, Integer::sum);
            }
        }
        return counts;
    }

    private static int readdirs(Map<Integer, Integer> requests) {
        return requests.getOrDefault(READDIR, 0) + requests.getOrDefault(READDIRPLUS, 0);
    }

    /**
     * The mount's log once every request answered so far is in it: each request is logged after
     * its answer, so this waits for the LOOKUP of a name that is nowhere, asked after them.
     */
    private static String settledLog(ZeroMount mount) throws InterruptedException {
        Pattern rootLookup = Pattern.compile("request \\d+ \\(opcode " + LOOKUP + ", node 1,");
        long before = rootLookup.matcher(mount.log()).results().count();
        try {
            Sys.lstat(mount.mountpoint().resolve("settle-" + System.nanoTime()));
            throw new AssertionError("a name that is nowhere exists");
        } catch (ErrnoException e) {
            assertEquals(Errno.ENOENT.intValue(), e.errno());
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (rootLookup.matcher(mount.log()).results().count() == before) {
            assertTrue(System.nanoTime() < deadline, "the LOOKUP of a missing name was never logged");
            Thread.sleep(10);
        }
        Thread.sleep(50); // a request answered on another thread just before may log just after
        return mount.log();
    }

    /** POSIX: the target name refers to the old or the new file throughout a rename over it. */
    @Test
    void anOpenRacingARenameOverItsNameNeverAnswersEnoent() throws Exception {
        Path mnt = dir.resolve("mnt");
        try (ZeroMount mount = ZeroMount.start(mnt, dir.resolve("cache"))) {
            Path target = mnt.resolve("target");
            Sys.writeFile(target, "version 0");
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<String> failure = new AtomicReference<>();
            Thread opener = new Thread(() -> {
                while (!done.get() && failure.get() == null) {
                    try (Fd fd = Sys.open(target, Sys.O_RDONLY)) {
                        Sys.stat(target);
                    } catch (ErrnoException e) {
                        failure.set(e.getMessage());
                    }
                }
            });
            opener.start();
            for (int i = 1; i <= 2000 && failure.get() == null; i++) {
                Path next = mnt.resolve("next");
                Sys.writeFile(next, "version " + i);
                Sys.rename(next, target);
            }
            done.set(true);
            opener.join();
            assertNull(failure.get(), "an open or stat of a name that existed throughout a rename loop failed");
            mount.unmount();
        }
    }
}
