package dev.zero.conformance;

import dev.zero.conformance.FsstressModel.Dir;
import dev.zero.conformance.FsstressModel.Entry;
import dev.zero.conformance.FsstressModel.File;
import dev.zero.conformance.FsstressModel.Inode;
import dev.zero.conformance.FsstressModel.Symlink;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * One process of {@link Fsstress}: a seeded random mix of metadata and data operations, each
 * made of real system calls, on a directory of its own, checked against a {@link FsstressModel}
 * of everything it did. Any difference (content, size, links, mode, times, names) or unexpected
 * error ends it: data was lost or corrupted, or an operation failed that must not.
 *
 * <p>Run by {@link Fsstress} as {@code FsstressWorker DIR SEED OPS START_AT_MS DEADLINE_MS
 * RESULTS_FILE}: it creates DIR, waits until START_AT_MS (epoch ms) so that all workers start
 * together once their JVMs are up, stops at OPS operations or at DEADLINE_MS, and writes its
 * latencies to RESULTS_FILE (see {@link Fsstress} for the format).
 */
final class FsstressWorker {
    static final int MAX_WRITE = 256 << 10;
    /** Files are kept to 1 MiB, inodes and directories bounded, so the workload's size is bounded too. */
    private static final int MAX_FILE = 1 << 20;
    private static final int MAX_INODES = 40;
    private static final int MAX_NAMES = 100;
    private static final int MAX_DIRS = 8;
    private static final int[] FILE_MODES = {0600, 0640, 0644, 0660, 0700, 0755};
    private static final int[] DIR_MODES = {0700, 0750, 0755};

    /** The operations and how often each is picked, roughly in fsstress's proportions. */
    enum Op {
        CREATE(8), WRITE(6), APPEND(4), READ(10), TRUNCATE(3), MKDIR(2), RMDIR(1), RENAME(5), LINK(2), SYMLINK(2),
        UNLINK(5), CHMOD(2), UTIMES(2), STAT(8), READDIR(3), FSYNC(2), FDATASYNC(2);

        final int weight;

        Op(int weight) {
            this.weight = weight;
        }

        String label() {
            return name().toLowerCase();
        }
    }

    private final Path root;
    private final Random rnd;
    private final FsstressModel model = new FsstressModel();
    private final Map<Op, List<Long>> latencies = new EnumMap<>(Op.class);
    private int nextName;

    FsstressWorker(Path root, long seed) {
        this.root = root;
        this.rnd = new Random(seed);
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path root = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        int ops = Integer.parseInt(args[2]);
        long startAt = Long.parseLong(args[3]);
        long deadline = Long.parseLong(args[4]);
        Path results = Path.of(args[5]);

        FsstressWorker worker = new FsstressWorker(root, seed);
        String failure = null;
        worker.setUp();
        Thread.sleep(Math.max(0, startAt - System.currentTimeMillis()));
        long start = System.currentTimeMillis();
        int done = 0;
        try {
            while (done < ops && System.currentTimeMillis() < deadline) {
                worker.step();
                done++;
            }
        } catch (RuntimeException | AssertionError e) {
            failure = "operation " + (done + 1) + " of worker " + root.getFileName() + ": " + e.getMessage();
        }
        long end = System.currentTimeMillis();
        worker.writeResults(results, done, start, end, failure);
        System.exit(failure == null ? 0 : 1);
    }

    /** The directory and two subdirectories, so that renames across directories happen from the start. */
    private void setUp() {
        Sys.mkdir(root);
        for (int i = 0; i < 2; i++) {
            String dir = newName("d");
            Sys.mkdir(abs(dir));
            model.add(dir, new Dir());
        }
    }

    /** Picks operations until one applies (rmdir needs an empty directory, ...) and runs it. */
    void step() {
        int total = Arrays.stream(Op.values()).mapToInt(op -> op.weight).sum();
        while (true) {
            int pick = rnd.nextInt(total);
            for (Op op : Op.values()) {
                pick -= op.weight;
                if (pick < 0) {
                    if (run(op)) {
                        return;
                    }
                    break;
                }
            }
        }
    }

    private boolean run(Op op) {
        return switch (op) {
            case CREATE -> create();
            case WRITE -> write();
            case APPEND -> append();
            case READ -> read();
            case TRUNCATE -> truncate();
            case MKDIR -> mkdir();
            case RMDIR -> rmdir();
            case RENAME -> rename();
            case LINK -> link();
            case SYMLINK -> symlink();
            case UNLINK -> unlink();
            case CHMOD -> chmod();
            case UTIMES -> utimes();
            case STAT -> stat();
            case READDIR -> readdir();
            case FSYNC -> sync(false);
            case FDATASYNC -> sync(true);
        };
    }

    private boolean create() {
        if (model.inodes() >= MAX_INODES || model.names() >= MAX_NAMES) {
            return false;
        }
        String path = FsstressModel.child(pick(dirs()), newName("f"));
        byte[] content = randomBytes(rnd.nextInt(MAX_WRITE + 1));
        timed(Op.CREATE, () -> {
            try (Fd fd = Sys.open(abs(path), Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL, 0644)) {
                fd.write(content);
            }
        });
        model.add(path, new File(new Inode(content)));
        return true;
    }

    /** An overwrite at a random offset, which may extend the file or leave a hole before it. */
    private boolean write() {
        String path = pick(files());
        if (path == null) {
            return false;
        }
        Inode inode = inode(path);
        long offset = rnd.nextInt(Math.min(inode.content.length + 4096, MAX_FILE));
        byte[] data = randomBytes((int) Math.min(rnd.nextInt(MAX_WRITE) + 1, MAX_FILE - offset));
        timed(Op.WRITE, () -> {
            try (Fd fd = Sys.open(abs(path), Sys.O_WRONLY)) {
                fd.pwrite(data, offset);
            }
        });
        byte[] content = Arrays.copyOf(inode.content, (int) Math.max(inode.content.length, offset + data.length));
        System.arraycopy(data, 0, content, (int) offset, data.length);
        changed(inode, content);
        return true;
    }

    private boolean append() {
        String path = pick(files());
        if (path == null) {
            return false;
        }
        Inode inode = inode(path);
        byte[] data = randomBytes(Math.min(rnd.nextInt(MAX_WRITE) + 1, MAX_FILE - inode.content.length));
        timed(Op.APPEND, () -> {
            try (Fd fd = Sys.open(abs(path), Sys.O_WRONLY | Sys.O_APPEND)) {
                fd.write(data);
            }
        });
        byte[] content = Arrays.copyOf(inode.content, inode.content.length + data.length);
        System.arraycopy(data, 0, content, content.length - data.length, data.length);
        changed(inode, content);
        return true;
    }

    private boolean read() {
        String path = pick(files());
        if (path == null) {
            return false;
        }
        byte[] read = timed(Op.READ, () -> Sys.readFile(abs(path)));
        byte[] expected = inode(path).content;
        if (!Arrays.equals(expected, read)) {
            throw new AssertionError("read of " + path + " returned " + read.length + " bytes, " + firstDifference(expected, read)
                    + "; the model has " + expected.length + " bytes: data lost or corrupted");
        }
        return true;
    }

    private boolean truncate() {
        String path = pick(files());
        if (path == null) {
            return false;
        }
        Inode inode = inode(path);
        int length = rnd.nextInt(Math.min(inode.content.length + MAX_WRITE, MAX_FILE) + 1);
        timed(Op.TRUNCATE, () -> Sys.truncate(abs(path), length));
        changed(inode, Arrays.copyOf(inode.content, length));
        return true;
    }

    private boolean mkdir() {
        if (dirs().size() >= MAX_DIRS || model.names() >= MAX_NAMES) {
            return false;
        }
        String path = FsstressModel.child(pick(dirs()), newName("d"));
        timed(Op.MKDIR, () -> Sys.mkdir(abs(path)));
        model.add(path, new Dir());
        return true;
    }

    private boolean rmdir() {
        String path = pick(model.paths(e -> e instanceof Dir).stream()
                .filter(dir -> !dir.isEmpty() && model.children(dir).isEmpty()).toList());
        if (path == null) {
            return false;
        }
        timed(Op.RMDIR, () -> Sys.rmdir(abs(path)));
        model.remove(path);
        return true;
    }

    /**
     * Any name to a directory of this worker: half of the time a file or symlink replaces an
     * existing file or symlink there (never a name of its own inode, where rename does nothing).
     */
    private boolean rename() {
        String from = pick(model.paths(e -> true).stream().filter(path -> !path.isEmpty()).toList());
        if (from == null) {
            return false;
        }
        Entry moving = model.get(from);
        String toDir = pick(dirs().stream().filter(dir -> !(moving instanceof Dir) || !model.isInside(dir, from)).toList());
        String to = FsstressModel.child(toDir, newName("r"));
        if (!(moving instanceof Dir) && rnd.nextBoolean()) {
            String replaced = pick(model.children(toDir).stream().map(name -> FsstressModel.child(toDir, name))
                    .filter(path -> !(model.get(path) instanceof Dir) && !sameInode(model.get(path), moving)).toList());
            if (replaced != null) {
                to = replaced;
            }
        }
        String target = to;
        timed(Op.RENAME, () -> Sys.rename(abs(from), abs(target)));
        model.rename(from, target);
        return true;
    }

    private static boolean sameInode(Entry a, Entry b) {
        return a == b || (a instanceof File fa && b instanceof File fb && fa.inode() == fb.inode());
    }

    private boolean link() {
        String existing = pick(files());
        if (existing == null || model.names() >= MAX_NAMES) {
            return false;
        }
        String path = FsstressModel.child(pick(dirs()), newName("h"));
        timed(Op.LINK, () -> Sys.link(abs(existing), abs(path)));
        Inode inode = inode(existing);
        inode.links++;
        model.add(path, new File(inode));
        return true;
    }

    private boolean symlink() {
        if (model.names() >= MAX_NAMES) {
            return false;
        }
        String path = FsstressModel.child(pick(dirs()), newName("s"));
        String target = "../" + newName("t") + "/" + "x".repeat(rnd.nextInt(100));
        timed(Op.SYMLINK, () -> Sys.symlink(target, abs(path)));
        model.add(path, new Symlink(target));
        return true;
    }

    private boolean unlink() {
        String path = pick(model.paths(e -> !(e instanceof Dir)));
        if (path == null) {
            return false;
        }
        timed(Op.UNLINK, () -> Sys.unlink(abs(path)));
        model.remove(path);
        return true;
    }

    private boolean chmod() {
        String path = pick(model.paths(e -> !(e instanceof Symlink)));
        Entry entry = model.get(path);
        int mode = entry instanceof Dir ? DIR_MODES[rnd.nextInt(DIR_MODES.length)] : FILE_MODES[rnd.nextInt(FILE_MODES.length)];
        timed(Op.CHMOD, () -> Sys.chmod(abs(path), mode));
        if (entry instanceof Dir dir) {
            dir.mode = mode;
        } else {
            inode(path).mode = mode;
        }
        return true;
    }

    private boolean utimes() {
        String path = pick(files());
        if (path == null) {
            return false;
        }
        Instant time = Instant.ofEpochSecond(1_000_000_000L + rnd.nextInt(1_000_000_000));
        timed(Op.UTIMES, () -> Sys.setTimes(abs(path), time, time));
        inode(path).mtime = time;
        return true;
    }

    private boolean stat() {
        String path = pick(model.paths(e -> true));
        Stat st = timed(Op.STAT, () -> Sys.lstat(abs(path)));
        Entry entry = model.get(path);
        if (entry instanceof File file) {
            Inode inode = file.inode();
            check(st.isRegularFile(), path, "a regular file", st);
            check(st.size() == inode.content.length, path, "size " + inode.content.length, st);
            check(st.nlink() == inode.links, path, inode.links + " links", st);
            check(st.permissions() == inode.mode, path, "mode 0" + Integer.toOctalString(inode.mode), st);
            check(inode.mtime == null || inode.mtime.equals(st.mtime()), path, "mtime " + inode.mtime, st);
        } else if (entry instanceof Dir dir) {
            check(st.isDirectory(), path, "a directory", st);
            check(st.permissions() == dir.mode, path, "mode 0" + Integer.toOctalString(dir.mode), st);
        } else if (entry instanceof Symlink link) {
            check(st.isSymlink(), path, "a symlink", st);
            String target = Sys.readlink(abs(path));
            check(target.equals(link.target()), path, "target " + link.target() + ", not " + target, st);
        }
        return true;
    }

    private static void check(boolean holds, String path, String expected, Stat st) {
        if (!holds) {
            throw new AssertionError("lstat of " + path + ": the model has " + expected + ", the filesystem says " + st);
        }
    }

    private boolean readdir() {
        String dir = pick(dirs());
        TreeSet<String> listed = timed(Op.READDIR, () -> list(abs(dir)));
        TreeSet<String> expected = new TreeSet<>(model.children(dir));
        if (!listed.equals(expected)) {
            throw new AssertionError("readdir of '" + dir + "' lists " + listed + "; the model has " + expected);
        }
        return true;
    }

    private static TreeSet<String> list(Path dir) {
        TreeSet<String> names = new TreeSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.forEach(entry -> names.add(entry.getFileName().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("readdir of " + dir + " failed", e);
        }
        return names;
    }

    private boolean sync(boolean dataOnly) {
        String path = pick(files());
        if (path == null) {
            return false;
        }
        timed(dataOnly ? Op.FDATASYNC : Op.FSYNC, () -> {
            try (Fd fd = Sys.open(abs(path), Sys.O_WRONLY)) {
                if (dataOnly) {
                    fd.fdatasync();
                } else {
                    fd.fsync();
                }
            }
        });
        return true;
    }

    private void changed(Inode inode, byte[] content) {
        inode.content = content;
        inode.mtime = null;
    }

    private Inode inode(String path) {
        return ((File) model.get(path)).inode();
    }

    private List<String> files() {
        return model.paths(e -> e instanceof File);
    }

    private List<String> dirs() {
        return model.paths(e -> e instanceof Dir);
    }

    private String pick(List<String> paths) {
        return paths.isEmpty() ? null : paths.get(rnd.nextInt(paths.size()));
    }

    /** A name never used before in this run, so a create never meets a name it did not expect. */
    private String newName(String kind) {
        return kind + nextName++;
    }

    private Path abs(String path) {
        return path.isEmpty() ? root : root.resolve(path);
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        rnd.nextBytes(bytes);
        return bytes;
    }

    private static String firstDifference(byte[] expected, byte[] actual) {
        int n = Math.min(expected.length, actual.length);
        for (int i = 0; i < n; i++) {
            if (expected[i] != actual[i]) {
                return "the first differing byte at offset " + i;
            }
        }
        return "equal over the first " + n + " bytes";
    }

    private void timed(Op op, Runnable calls) {
        timed(op, () -> {
            calls.run();
            return null;
        });
    }

    private <T> T timed(Op op, Supplier<T> calls) {
        long start = System.nanoTime();
        T result = calls.get();
        latencies.computeIfAbsent(op, o -> new ArrayList<>()).add(System.nanoTime() - start);
        return result;
    }

    private void writeResults(Path results, int done, long start, long end, String failure) throws IOException {
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(results))) {
            out.println("ops " + done);
            out.println("start " + start);
            out.println("end " + end);
            latencies.forEach((op, nanos) -> {
                StringBuilder line = new StringBuilder("op ").append(op.label());
                nanos.forEach(n -> line.append(' ').append(n));
                out.println(line);
            });
            if (failure != null) {
                out.println("failure " + failure.replace('\n', ' '));
            }
        }
    }
}
