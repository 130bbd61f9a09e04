package dev.zero.conformance;

import dev.zero.conformance.CrashModel.Key;
import dev.zero.conformance.CrashModel.Node;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * {@link CrashLoopTest}'s workload: one thread of real system calls on the mount (creates, writes
 * with and without fsync, appends, truncates, renames of files and directories within and across
 * directories and over existing files, hard links, unlinks, mkdir, rmdir, fsync of files and
 * directories), recorded in a {@link CrashModel} as it goes, until the mount is killed.
 *
 * <p>Every call is relative to a descriptor of the mount's root opened at the start ({@code
 * openat}, {@code renameat}, ...): once the killed mount is lazily unmounted, a path under the
 * mountpoint would name the empty directory underneath, and a call racing the kill could create
 * files there; through the descriptor it can only reach the dead mount and fail.
 */
final class CrashWorkload implements Runnable {
    private static final AtLibc AT = AtLibc.INSTANCE;
    private static final Runtime RUNTIME = Runtime.getRuntime(AT);
    private static final int STATX_BASIC_STATS = 0x7ff;

    static final int MAX_FILES = 45;
    static final int MAX_DIRS = 10;
    static final int MAX_DEPTH = 3;

    private final Path mnt;
    private final CrashModel model;
    private final Random rng;
    private final AtomicBoolean killed;
    private final AtomicLong names;
    private final List<String> log;
    private final String prefix;
    private int rootFd = -1;
    private volatile Throwable unexpected;
    private volatile String mismatch;
    /** The existing file the current operation reads or writes, if any. */
    private Node subject;
    private static final int EIO = 5;
    private int ops;

    CrashWorkload(Path mnt, CrashModel model, Random rng, AtomicBoolean killed, AtomicLong names, List<String> log, String prefix) {
        this.mnt = mnt;
        this.model = model;
        this.rng = rng;
        this.killed = killed;
        this.names = names;
        this.log = log;
        this.prefix = prefix;
    }

    /** A failure while the mount was alive (a real error, or a live read that did not match). */
    Throwable unexpected() {
        return unexpected;
    }

    /**
     * A read on the live mount that did not return what the model says the file holds. The
     * workload stops there (the model no longer knows the file), and the loop goes on.
     */
    String mismatch() {
        return mismatch;
    }

    int ops() {
        return ops;
    }

    @Override
    public void run() {
        rootFd = Libc.INSTANCE.open(mnt.toString(), Sys.O_RDONLY | Sys.O_DIRECTORY, 0);
        if (rootFd < 0) {
            unexpected = new ErrnoException("open(" + mnt + ")", RUNTIME.getLastError());
            return;
        }
        try {
            while (!killed.get() && mismatch == null) {
                Op op = new Op();
                subject = null;
                try {
                    step(op);
                    ops++;
                } catch (ErrnoException e) {
                    if (killed.get()) {
                        op.add("-> " + e.getMessage() + " (the mount was being killed)");
                        return;
                    }
                    op.add("-> " + e.getMessage() + " WHILE THE MOUNT WAS ALIVE");
                    if (e.errno() == EIO && subject != null) {
                        // A file Zero cannot read or write any more: reported, then left alone.
                        subject.broken = true;
                        mismatch = e.getMessage() + " on the live mount (inode " + subject.ino + "); the file is left alone from now on";
                        return;
                    }
                    unexpected = e;
                    return;
                } catch (RuntimeException | AssertionError e) {
                    if (killed.get() && !(e instanceof AssertionError)) {
                        op.add("-> " + e + " (the mount was being killed)");
                        return;
                    }
                    op.add("-> " + e);
                    unexpected = e;
                    return;
                } finally {
                    op.flush();
                }
            }
        } finally {
            Libc.INSTANCE.close(rootFd);
        }
    }

    /** One operation's log line, built step by step and written even if a step fails. */
    private final class Op {
        private final StringBuilder line = new StringBuilder();

        void add(String s) {
            if (line.length() > 0) {
                line.append("; ");
            }
            line.append(s);
        }

        void flush() {
            if (line.length() > 0) {
                synchronized (log) {
                    log.add(prefix + line);
                }
            }
        }
    }

    // ---- choosing an operation -----------------------------------------------------------------

    private void step(Op op) {
        List<Key> files = fileKeys();
        List<Long> dirs = dirs();
        int fileCount = (int) files.stream().map(model.current::get).distinct().count();
        if (dirs.size() < 3) {
            mkdir(op, dirs);
            return;
        }
        if (files.isEmpty()) {
            create(op, dirs);
            return;
        }
        int roll = rng.nextInt(100);
        if (roll < 12) {
            if (fileCount < MAX_FILES) {
                create(op, dirs);
            } else {
                unlink(op, files);
            }
        } else if (roll < 17) {
            atomicReplace(op, dirs, files);
        } else if (roll < 27) {
            overwrite(op, files);
        } else if (roll < 33) {
            append(op, files);
        } else if (roll < 37) {
            rewrite(op, files);
        } else if (roll < 42) {
            truncate(op, files);
        } else if (roll < 54) {
            renameFile(op, files, dirs);
        } else if (roll < 58) {
            renameDir(op, dirs);
        } else if (roll < 62) {
            if (fileCount < MAX_FILES) {
                link(op, files, dirs);
            } else {
                unlink(op, files);
            }
        } else if (roll < 69) {
            unlink(op, files);
        } else if (roll < 72) {
            if (dirs.size() < MAX_DIRS) {
                mkdir(op, dirs);
            } else {
                rmdir(op, dirs);
            }
        } else if (roll < 75) {
            rmdir(op, dirs);
        } else if (roll < 83) {
            fsyncFile(op, pick(files));
        } else if (roll < 93) {
            fsyncDir(op, pick(dirs));
        } else {
            read(op, files);
        }
    }

    private List<Key> fileKeys() {
        List<Key> out = new ArrayList<>();
        model.current.forEach((k, ino) -> {
            Node n = model.nodes.get(ino);
            if (!n.dir && !n.broken) {
                out.add(k);
            }
        });
        out.sort(Comparator.comparing(model::path));
        return out;
    }

    private List<Long> dirs() {
        List<Long> out = new ArrayList<>(model.dirName.keySet());
        out.sort(Comparator.comparing(model::dirPath));
        out.add(0, model.root);
        return out;
    }

    private <T> T pick(List<T> list) {
        return list.get(rng.nextInt(list.size()));
    }

    private String newName(String kind) {
        return kind + names.incrementAndGet();
    }

    private int depth(long dir) {
        int d = 0;
        for (long x = dir; x != model.root; x = model.dirName.get(x).dir()) {
            d++;
        }
        return d;
    }

    private int size() {
        double r = rng.nextDouble();
        if (r < 0.15) {
            return rng.nextInt(64);
        } else if (r < 0.70) {
            return rng.nextInt(64 << 10);
        } else if (r < 0.95) {
            return (64 << 10) + rng.nextInt(448 << 10);
        }
        return (1 << 20) + rng.nextInt(1 << 20);
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        rng.nextBytes(b);
        return b;
    }

    // ---- operations --------------------------------------------------------------------------

    private void create(Op op, List<Long> dirs) {
        long dir = pick(dirs);
        Key k = new Key(dir, newName("f"));
        String path = model.path(k);
        long s = model.begin();
        op.add("#" + s + " create " + path);
        model.createPending(k, s, "create");
        Fd fd = openAt(path, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL, 0644);
        try {
            long ino = fd.stat().ino();
            Node n = model.createDone(k, ino, false);
            op.add("ino " + ino);
            writeAndMaybeFsync(op, fd, n, bytes(size()), false);
        } finally {
            close(fd);
        }
        maybeFsyncDir(op, dir, 0.4);
    }

    /** The classic safe save: a new file written and fsynced, renamed over the old one, the directory fsynced. */
    private void atomicReplace(Op op, List<Long> dirs, List<Key> files) {
        Key target;
        if (rng.nextInt(10) < 7) {
            target = pick(files);
        } else {
            target = new Key(pick(dirs), newName("f"));
        }
        long dir = target.dir();
        Key tmp = new Key(dir, newName("tmp"));
        String tmpPath = model.path(tmp);
        long s = model.begin();
        op.add("#" + s + " atomic-replace: create " + tmpPath);
        model.createPending(tmp, s, "create (atomic replace)");
        Fd fd = openAt(tmpPath, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL, 0644);
        try {
            long ino = fd.stat().ino();
            Node n = model.createDone(tmp, ino, false);
            op.add("ino " + ino);
            writeAndMaybeFsync(op, fd, n, bytes(size()), true);
        } finally {
            close(fd);
        }
        rename(op, tmp, target, "(atomic replace)");
        fsyncDir(op, dir);
    }

    private void overwrite(Op op, List<Key> files) {
        Key k = pick(files);
        Node n = model.nodes.get(model.current.get(k));
        subject = n;
        int len = rng.nextInt(10) == 0 ? 1 + rng.nextInt(256 << 10) : 1 + rng.nextInt(64 << 10);
        long off = n.content.length == 0 ? rng.nextInt(4096) : (long) rng.nextInt(n.content.length + 16384);
        byte[] data = bytes(len);
        long s = model.begin();
        op.add("#" + s + " pwrite " + len + " bytes at " + off + " of " + model.path(k) + " (ino " + n.ino + ", size "
                + n.content.length + ")");
        Fd fd = openAt(model.path(k), Sys.O_RDWR, 0);
        try {
            model.dataPending(n);
            fd.pwrite(data, off);
            byte[] c = Arrays.copyOf(n.content, (int) Math.max(n.content.length, off + len));
            System.arraycopy(data, 0, c, (int) off, len);
            n.content = c;
            op.add("ok");
            maybeFsync(op, fd, n, 0.5);
        } finally {
            close(fd);
        }
        maybeFsyncDir(op, k.dir(), 0.1);
    }

    private void append(Op op, List<Key> files) {
        Key k = pick(files);
        Node n = model.nodes.get(model.current.get(k));
        subject = n;
        byte[] data = bytes(1 + rng.nextInt(32 << 10));
        long s = model.begin();
        op.add("#" + s + " append " + data.length + " bytes to " + model.path(k) + " (ino " + n.ino + ", size " + n.content.length + ")");
        Fd fd = openAt(model.path(k), Sys.O_WRONLY | Sys.O_APPEND, 0);
        try {
            model.dataPending(n);
            fd.write(data);
            byte[] c = Arrays.copyOf(n.content, n.content.length + data.length);
            System.arraycopy(data, 0, c, n.content.length, data.length);
            n.content = c;
            op.add("ok");
            maybeFsync(op, fd, n, 0.5);
        } finally {
            close(fd);
        }
    }

    /** open(O_TRUNC) and a new content: the unsafe save. */
    private void rewrite(Op op, List<Key> files) {
        Key k = pick(files);
        Node n = model.nodes.get(model.current.get(k));
        subject = n;
        long s = model.begin();
        op.add("#" + s + " rewrite (O_TRUNC) " + model.path(k) + " (ino " + n.ino + ")");
        model.dataPending(n);
        Fd fd = openAt(model.path(k), Sys.O_WRONLY | Sys.O_TRUNC, 0);
        try {
            n.content = new byte[0];
            writeAndMaybeFsync(op, fd, n, bytes(size()), false);
        } finally {
            close(fd);
        }
    }

    private void truncate(Op op, List<Key> files) {
        Key k = pick(files);
        Node n = model.nodes.get(model.current.get(k));
        subject = n;
        int len = rng.nextInt(4) == 0 ? n.content.length + rng.nextInt(65536) : rng.nextInt(n.content.length + 1);
        long s = model.begin();
        op.add("#" + s + " ftruncate " + model.path(k) + " (ino " + n.ino + ") from " + n.content.length + " to " + len);
        Fd fd = openAt(model.path(k), Sys.O_WRONLY, 0);
        try {
            model.dataPending(n);
            fd.ftruncate(len);
            n.content = Arrays.copyOf(n.content, len);
            op.add("ok");
            maybeFsync(op, fd, n, 0.5);
        } finally {
            close(fd);
        }
    }

    private void renameFile(Op op, List<Key> files, List<Long> dirs) {
        Key from = pick(files);
        Key to;
        int r = rng.nextInt(10);
        if (r < 4 && files.size() > 1) {
            do {
                to = pick(files);
            } while (to.equals(from));
        } else if (r < 6) {
            to = new Key(from.dir(), newName("f"));
        } else {
            to = new Key(pick(dirs), newName("f"));
        }
        rename(op, from, to, "");
        if (rng.nextBoolean()) {
            fsyncDir(op, from.dir());
            if (to.dir() != from.dir()) {
                fsyncDir(op, to.dir());
            }
        } else {
            maybeFsyncDir(op, rng.nextBoolean() ? from.dir() : to.dir(), 0.3);
        }
    }

    private void renameDir(Op op, List<Long> dirs) {
        List<Long> movable = dirs.subList(1, dirs.size());
        long d = pick(movable);
        Key from = model.dirName.get(d);
        int subtreeDepth = subtreeDepth(d);
        List<Long> parents = new ArrayList<>();
        for (long p : dirs) {
            if (!model.isWithin(p, d) && depth(p) + 1 + subtreeDepth <= MAX_DEPTH) {
                parents.add(p);
            }
        }
        Key to = null;
        if (rng.nextInt(4) == 0) {
            // Over an existing empty directory (not d itself, not one of its ancestors).
            List<Long> empty = new ArrayList<>();
            for (long e : movable) {
                if (e != d && model.isEmptyDir(e) && parents.contains(model.dirName.get(e).dir())) {
                    empty.add(e);
                }
            }
            if (!empty.isEmpty()) {
                to = model.dirName.get(pick(empty));
            }
        }
        if (to == null) {
            to = new Key(parents.isEmpty() ? from.dir() : pick(parents), newName("d"));
        }
        rename(op, from, to, "(directory)");
        if (rng.nextBoolean()) {
            fsyncDir(op, from.dir());
            if (to.dir() != from.dir()) {
                fsyncDir(op, to.dir());
            }
        }
    }

    private int subtreeDepth(long dir) {
        int deepest = 0;
        for (long other : model.dirName.keySet()) {
            if (other != dir && model.isWithin(other, dir)) {
                int d = 0;
                for (long x = other; x != dir; x = model.dirName.get(x).dir()) {
                    d++;
                }
                deepest = Math.max(deepest, d);
            }
        }
        return deepest;
    }

    private void rename(Op op, Key from, Key to, String what) {
        String fromPath = model.path(from);
        String toPath = model.path(to);
        long s = model.begin();
        long ino = model.current.get(from);
        Long over = model.current.get(to);
        String description = fromPath + " -> " + toPath + (what.isEmpty() ? "" : " " + what) + " (ino " + ino
                + (over == null ? "" : ", over ino " + over) + ")";
        op.add("#" + s + " rename " + description);
        boolean changes = model.renamePending(from, to, s, "rename " + fromPath + " -> " + toPath);
        check(AT.renameat(rootFd, fromPath, rootFd, toPath), "renameat(" + fromPath + ", " + toPath + ")");
        if (changes) {
            model.renameDone(from, to, s, description);
            op.add("ok");
        } else {
            op.add("ok (two names of one inode: rename does nothing)");
        }
    }

    private void link(Op op, List<Key> files, List<Long> dirs) {
        Key from = pick(files);
        Key to = new Key(pick(dirs), newName("f"));
        String fromPath = model.path(from);
        String toPath = model.path(to);
        long s = model.begin();
        op.add("#" + s + " link " + fromPath + " -> " + toPath + " (ino " + model.current.get(from) + ")");
        model.linkPending(from, to, s, "link " + fromPath + " -> " + toPath);
        check(AT.linkat(rootFd, fromPath, rootFd, toPath, 0), "linkat(" + fromPath + ", " + toPath + ")");
        model.linkDone(from, to);
        op.add("ok");
        maybeFsyncDir(op, to.dir(), 0.4);
    }

    private void unlink(Op op, List<Key> files) {
        Key k = pick(files);
        String path = model.path(k);
        long s = model.begin();
        op.add("#" + s + " unlink " + path + " (ino " + model.current.get(k) + ")");
        model.removePending(k, s, "unlink " + path);
        check(AT.unlinkat(rootFd, path, 0), "unlinkat(" + path + ")");
        model.removeDone(k);
        op.add("ok");
        maybeFsyncDir(op, k.dir(), 0.4);
    }

    private void mkdir(Op op, List<Long> dirs) {
        List<Long> parents = new ArrayList<>();
        for (long d : dirs) {
            if (depth(d) < MAX_DEPTH) {
                parents.add(d);
            }
        }
        long parent = pick(parents);
        Key k = new Key(parent, newName("d"));
        String path = model.path(k);
        long s = model.begin();
        op.add("#" + s + " mkdir " + path);
        model.createPending(k, s, "mkdir");
        check(AT.mkdirat(rootFd, path, 0755), "mkdirat(" + path + ")");
        long ino = statAt(path).ino();
        model.createDone(k, ino, true);
        op.add("ok ino " + ino);
        maybeFsyncDir(op, parent, 0.5);
    }

    private void rmdir(Op op, List<Long> dirs) {
        List<Long> empty = new ArrayList<>();
        for (long d : dirs) {
            if (d != model.root && model.isEmptyDir(d)) {
                empty.add(d);
            }
        }
        if (empty.isEmpty()) {
            fsyncDir(op, pick(dirs));
            return;
        }
        Key k = model.dirName.get(pick(empty));
        String path = model.path(k);
        long s = model.begin();
        op.add("#" + s + " rmdir " + path + " (ino " + model.current.get(k) + ")");
        model.removePending(k, s, "rmdir " + path);
        check(AT.unlinkat(rootFd, path, AtLibc.AT_REMOVEDIR), "rmdir(" + path + ")");
        model.removeDone(k);
        op.add("ok");
        maybeFsyncDir(op, k.dir(), 0.5);
    }

    private void fsyncFile(Op op, Key k) {
        Node n = model.nodes.get(model.current.get(k));
        subject = n;
        long s = model.begin();
        op.add("#" + s + " fsync " + model.path(k) + " (ino " + n.ino + ", read-only descriptor)");
        Fd fd = openAt(model.path(k), Sys.O_RDONLY, 0);
        try {
            fd.fsync();
            model.fsyncFileDone(n);
            op.add("ok");
        } finally {
            close(fd);
        }
    }

    private void fsyncDir(Op op, long dir) {
        String path = model.dirPath(dir);
        long s = model.begin();
        op.add("#" + s + " fsync dir " + path);
        Fd fd = openAt(path, Sys.O_RDONLY | Sys.O_DIRECTORY, 0);
        try {
            fd.fsync();
            model.fsyncDirDone(dir, s);
            op.add("ok");
        } finally {
            close(fd);
        }
    }

    /** A read while the mount is alive must return exactly what was written. */
    private void read(Op op, List<Key> files) {
        Key k = pick(files);
        Node n = model.nodes.get(model.current.get(k));
        subject = n;
        long s = model.begin();
        op.add("#" + s + " read " + model.path(k) + " (ino " + n.ino + ")");
        byte[] got;
        Fd fd = openAt(model.path(k), Sys.O_RDONLY, 0);
        try {
            got = fd.readToEnd();
        } finally {
            close(fd);
        }
        if (!Arrays.equals(n.content, got) && !killed.get()) {
            mismatch = "a read of " + model.path(k) + " (ino " + n.ino + ") on the live mount "
                    + CrashModel.describeMismatch(n.content, got) + (n.dataDurable ? " (its content was fsynced and not written since)" : "");
            op.add("-> CONTENT DIFFERS from what was written: " + mismatch + "; the workload stops here");
            return;
        }
        op.add("ok");
    }

    private void writeAndMaybeFsync(Op op, Fd fd, Node n, byte[] data, boolean alwaysFsync) {
        if (data.length > 0) {
            model.dataPending(n);
            fd.write(data);
            n.content = data;
        }
        op.add("wrote " + data.length + " bytes");
        maybeFsync(op, fd, n, alwaysFsync ? 1.0 : 0.5);
    }

    private void maybeFsync(Op op, Fd fd, Node n, double p) {
        if (rng.nextDouble() < p) {
            fd.fsync();
            model.fsyncFileDone(n);
            op.add("fsync ok");
        }
    }

    private void maybeFsyncDir(Op op, long dir, double p) {
        if (rng.nextDouble() < p) {
            fsyncDir(op, dir);
        }
    }

    // ---- system calls relative to the mount's root -------------------------------------------

    private Fd openAt(String path, int flags, int mode) {
        int fd = check(AT.openat(rootFd, path, flags, mode), "openat(" + path + ")");
        return new Fd(fd, mnt.resolve(path));
    }

    private Stat statAt(String path) {
        Pointer buf = Memory.allocateDirect(RUNTIME, 256);
        check(Libc.INSTANCE.statx(rootFd, path, Sys.AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buf), "statx(" + path + ")");
        return Stat.fromStatx(buf);
    }

    private void close(Fd fd) {
        try {
            fd.close();
        } catch (ErrnoException e) {
            if (!killed.get()) {
                throw e;
            }
        }
    }

    private static int check(int result, String call) {
        if (result == -1) {
            throw new ErrnoException(call, RUNTIME.getLastError());
        }
        return result;
    }
}
