package dev.zero.conformance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What {@link CrashLoopTest}'s workload did to the filesystem, and which of it was made durable,
 * kept in the test JVM. It promises only what POSIX and fsync promise:
 *
 * <ul>
 *   <li><b>Data.</b> {@code fsync} of a file makes its content durable (whichever name or
 *       descriptor it was written through: fsync is about the inode). Any write, append or
 *       truncate started after that fsync makes the content unknown until the next fsync.
 *   <li><b>Names.</b> {@code fsync} of a directory makes its entries durable: an entry whose last
 *       change (create, mkdir, link, rename into or out of, unlink, rmdir) finished before the
 *       directory's fsync started must be there after a crash, naming the same inode, or must be
 *       absent if that change removed it. Nothing else is asserted about names.
 *   <li><b>Renames are atomic.</b> A file or directory whose name was durable and that since had
 *       only renames (no hard link) is, after a crash, under exactly one of the names it had,
 *       never under two and never under none (at most one if it was also unlinked, or renamed
 *       over, since). rename(2) is atomic; journaling filesystems keep it atomic across a crash,
 *       and Zero promises that every rename is all there or not at all. This is only asserted
 *       when every directory the candidate names are in is itself sure to be reachable.
 * </ul>
 *
 * <p>Whatever survived, durable or not, must be a consistent file: readable, and as many bytes
 * as {@code stat} says (there is no writer while the test reads it back).
 *
 * <p>Files are told apart by {@code st_ino}, which Zero reports with {@code use_ino}: its inode
 * numbers are persistent and never reused, as a native filesystem's are.
 *
 * <p>An operation that was in flight when the mount was killed may or may not have happened: each
 * operation marks what it touches as uncertain before its system call and records the outcome
 * only once the call returned success. After each crash the test reads back what survived,
 * fsyncs all of it, and starts a new model from it ({@link #baseline}).
 */
final class CrashModel {
    /** A directory entry: (directory inode, name). */
    record Key(long dir, String name) {}

    static final class Node {
        final long ino;
        final boolean dir;
        /** The content now (files), as the workload wrote it. */
        byte[] content = new byte[0];
        /** The content as of the last successful fsync; meaningful while {@link #dataDurable}. */
        byte[] synced;
        /** fsync succeeded and no write, append or truncate started since. */
        boolean dataDurable;
        /** Every name the node had since the baseline or since it was created. */
        final Set<Key> history = new LinkedHashSet<>();
        /** One of its names was made durable while it had a single name. */
        boolean anchored;
        /** Had more than one name at some point: the exactly-one-name check does not apply. */
        boolean multiLinked;
        /** Its last name was (maybe) removed: unlink, rmdir, or renamed over. */
        boolean removed;
        /** Zero failed to read or write it (EIO): reported once, then left alone by the workload. */
        boolean broken;

        Node(long ino, boolean dir) {
            this.ino = ino;
            this.dir = dir;
        }
    }

    /** The last change of one directory entry. */
    static final class EntryRecord {
        long seq;
        /** The call returned success; false while in flight, and forever if the mount died during it. */
        boolean certain;
        /** The inode it names after the change; null if the change removed the name. */
        Long target;
        String op;
    }

    /** A rename that returned success, to count and report the durable ones. */
    record RenameRecord(long seq, Key from, Key to, long ino, String description) {}

    /** The counters of one check, added up over the loop. */
    static final class Counts {
        int contentChecks;
        int entryChecks;
        int durableRenames;
        int atomicityChecks;

        void add(Counts other) {
            contentChecks += other.contentChecks;
            entryChecks += other.entryChecks;
            durableRenames += other.durableRenames;
            atomicityChecks += other.atomicityChecks;
        }
    }

    final long root;
    final Map<Long, Node> nodes = new HashMap<>();
    /** The namespace as it is on the live mount (every change here returned success). */
    final Map<Key, Long> current = new HashMap<>();
    /** Each live directory's one name. */
    final Map<Long, Key> dirName = new HashMap<>();
    final Map<Key, EntryRecord> entries = new HashMap<>();
    /** Directory inode -> the sequence number of its last successful fsync. */
    final Map<Long, Long> dirSynced = new HashMap<>();
    final List<RenameRecord> renames = new ArrayList<>();
    long seq;

    CrashModel(long root, long firstSeq) {
        this.root = root;
        this.seq = firstSeq;
        Node r = new Node(root, true);
        r.anchored = true;
        nodes.put(root, r);
    }

    // ---- the live namespace ----------------------------------------------------------------

    String dirPath(long dir) {
        if (dir == root) {
            return ".";
        }
        Key k = dirName.get(dir);
        String parent = dirPath(k.dir);
        return parent.equals(".") ? k.name : parent + "/" + k.name;
    }

    String path(Key k) {
        String parent = dirPath(k.dir);
        return parent.equals(".") ? k.name : parent + "/" + k.name;
    }

    int nameCount(long ino) {
        int n = 0;
        for (Long v : current.values()) {
            if (v == ino) {
                n++;
            }
        }
        return n;
    }

    List<Key> namesOf(long ino) {
        List<Key> out = new ArrayList<>();
        current.forEach((k, v) -> {
            if (v == ino) {
                out.add(k);
            }
        });
        out.sort((a, b) -> path(a).compareTo(path(b)));
        return out;
    }

    /** True if {@code dir} is {@code ancestor} or below it. */
    boolean isWithin(long dir, long ancestor) {
        for (long d = dir; ; d = dirName.get(d).dir) {
            if (d == ancestor) {
                return true;
            }
            if (d == root) {
                return false;
            }
        }
    }

    boolean isEmptyDir(long dir) {
        for (Key k : current.keySet()) {
            if (k.dir == dir) {
                return false;
            }
        }
        return true;
    }

    // ---- recording operations: *Pending before the system call, *Done after it succeeded ----

    long begin() {
        return ++seq;
    }

    private void entryPending(Key k, long s, String op) {
        EntryRecord r = entries.computeIfAbsent(k, x -> new EntryRecord());
        r.seq = s;
        r.certain = false;
        r.op = op;
    }

    private void entryDone(Key k, Long target) {
        EntryRecord r = entries.get(k);
        r.certain = true;
        r.target = target;
        if (target == null) {
            current.remove(k);
        } else {
            current.put(k, target);
        }
    }

    void createPending(Key k, long s, String op) {
        entryPending(k, s, op);
    }

    Node createDone(Key k, long ino, boolean dir) {
        Node n = new Node(ino, dir);
        n.history.add(k);
        nodes.put(ino, n);
        entryDone(k, ino);
        if (dir) {
            dirName.put(ino, k);
        }
        return n;
    }

    /** Returns false if {@code from} and {@code to} name the same inode: rename(2) then does nothing. */
    boolean renamePending(Key from, Key to, long s, String op) {
        long n = current.get(from);
        Long m = current.get(to);
        if (m != null && m == n) {
            return false;
        }
        entryPending(from, s, op);
        entryPending(to, s, op);
        nodes.get(n).history.add(to);
        if (m != null && nameCount(m) == 1) {
            nodes.get(m).removed = true;
        }
        return true;
    }

    void renameDone(Key from, Key to, long s, String description) {
        long n = current.get(from);
        Long m = current.get(to);
        entryDone(from, null);
        entryDone(to, n);
        if (m != null && nodes.get(m).dir) {
            dirName.remove(m);
        }
        if (nodes.get(n).dir) {
            dirName.put(n, to);
        }
        renames.add(new RenameRecord(s, from, to, n, description));
    }

    void linkPending(Key from, Key to, long s, String op) {
        nodes.get(current.get(from)).multiLinked = true;
        entryPending(to, s, op);
    }

    void linkDone(Key from, Key to) {
        long n = current.get(from);
        nodes.get(n).history.add(to);
        entryDone(to, n);
    }

    void removePending(Key k, long s, String op) {
        long n = current.get(k);
        if (nameCount(n) == 1) {
            nodes.get(n).removed = true;
        }
        entryPending(k, s, op);
    }

    void removeDone(Key k) {
        long n = current.get(k);
        entryDone(k, null);
        if (nodes.get(n).dir) {
            dirName.remove(n);
        }
    }

    void dataPending(Node n) {
        n.dataDurable = false;
    }

    void fsyncFileDone(Node n) {
        n.synced = n.content.clone();
        n.dataDurable = true;
    }

    /** {@code s} is the fsync's own sequence number: it covers every change with a smaller one. */
    void fsyncDirDone(long dir, long s) {
        dirSynced.put(dir, s);
        current.forEach((k, ino) -> {
            if (k.dir != dir) {
                return;
            }
            Node n = nodes.get(ino);
            EntryRecord r = entries.get(k);
            if (!n.anchored && !n.multiLinked && !n.removed && nameCount(ino) == 1 && r != null && durable(k, r)) {
                n.anchored = true;
            }
        });
    }

    boolean durable(Key k, EntryRecord r) {
        return r.certain && r.seq < dirSynced.getOrDefault(k.dir, Long.MIN_VALUE);
    }

    // ---- after the crash ---------------------------------------------------------------------

    /** What the remounted filesystem holds, read through the mount. */
    record Snapshot(
            long root,
            Map<Key, Long> entries,
            Map<Long, Boolean> isDir,
            Map<Long, List<Key>> names,
            Map<Long, String> dirPaths,
            Map<Long, byte[]> contents,
            Map<Long, Long> sizes,
            Map<Long, String> readErrors) {

        String path(Key k) {
            String parent = dirPaths.get(k.dir);
            return parent == null ? "?" + k.dir + "?/" + k.name : parent.equals(".") ? k.name : parent + "/" + k.name;
        }
    }

    /** Checks the snapshot against what was made durable; returns one line per violation. */
    List<String> check(Snapshot s, Counts counts, Set<Long> knownBroken, Set<String> reported) {
        List<String> failures = new ArrayList<>();

        // Whatever survived, made durable or not, can be read, as many bytes as stat says.
        new TreeMap<>(s.readErrors).forEach((ino, error) -> {
            if (!knownBroken.contains(ino)) {
                failures.add("after the crash, " + s.path(s.names.get(ino).get(0)) + " (inode " + ino + ", "
                        + s.sizes.get(ino) + " bytes) cannot be read: " + error);
            }
        });
        for (Map.Entry<Long, byte[]> e : new TreeMap<>(s.contents).entrySet()) {
            if (e.getValue() == null || knownBroken.contains(e.getKey())) {
                continue;
            }
            long size = s.sizes.get(e.getKey());
            // The same inconsistency is reported once, not again after every later kill.
            if (size != e.getValue().length && reported.add(e.getKey() + ":" + size + ":" + e.getValue().length)) {
                failures.add("after the crash, stat of " + s.path(s.names.get(e.getKey()).get(0)) + " (inode " + e.getKey()
                        + ") says " + size + " bytes but reading it returns " + e.getValue().length + " bytes");
            }
        }

        // Content: every file whose data was fsynced, wherever it is now.
        for (Node n : sortedNodes()) {
            if (n.dir || !n.dataDurable || !s.isDir.containsKey(n.ino) || knownBroken.contains(n.ino)) {
                continue;
            }
            List<Key> where = s.names.get(n.ino);
            if (s.isDir.get(n.ino)) {
                failures.add("inode " + n.ino + " was a regular file with fsynced content, but after the crash "
                        + s.path(where.get(0)) + " (that inode) is a directory");
                continue;
            }
            byte[] got = s.contents.get(n.ino);
            if (got == null) {
                continue; // reported above
            }
            counts.contentChecks++;
            if (!Arrays.equals(n.synced, got)) {
                failures.add("content of " + s.path(where.get(0)) + " (inode " + n.ino + ", fsynced, not written since) "
                        + describeMismatch(n.synced, got) + "; its history: " + describeKeys(n.history));
            }
        }

        // Names: every entry whose last change was followed by an fsync of its directory.
        for (Map.Entry<Key, EntryRecord> e : sortedEntries()) {
            Key k = e.getKey();
            EntryRecord r = e.getValue();
            if (!durable(k, r) || !s.dirPaths.containsKey(k.dir)) {
                continue;
            }
            counts.entryChecks++;
            Long actual = s.entries.get(k);
            String what = "entry " + s.path(k) + " (last change #" + r.seq + " " + r.op + ", then fsync of its directory #"
                    + dirSynced.get(k.dir) + ")";
            if (r.target == null && actual != null) {
                failures.add(what + " was durably removed, but after the crash it exists (inode " + actual + ")");
            } else if (r.target != null && actual == null) {
                failures.add(what + " durably named inode " + r.target + ", but after the crash it is missing"
                        + whereElse(s, r.target));
            } else if (r.target != null && !r.target.equals(actual)) {
                failures.add(what + " durably named inode " + r.target + ", but after the crash it names inode " + actual
                        + whereElse(s, r.target));
            } else if (r.target != null && s.isDir.get(actual) != nodes.get(r.target).dir) {
                failures.add(what + " names inode " + actual + " of the wrong type after the crash");
            }
        }

        // Renames whose source and target directories were both fsynced afterwards: fully done.
        for (RenameRecord rr : renames) {
            if (rr.seq >= dirSynced.getOrDefault(rr.from.dir, Long.MIN_VALUE)
                    || rr.seq >= dirSynced.getOrDefault(rr.to.dir, Long.MIN_VALUE)) {
                continue;
            }
            boolean checked = false;
            EntryRecord to = entries.get(rr.to);
            if (to.seq == rr.seq && s.dirPaths.containsKey(rr.to.dir)) {
                checked = true;
                Long actual = s.entries.get(rr.to);
                if (actual == null || actual != rr.ino) {
                    failures.add("durable rename #" + rr.seq + " " + rr.description + " (both directories fsynced after it): "
                            + "the new name " + s.path(rr.to) + " names " + (actual == null ? "nothing" : "inode " + actual)
                            + " after the crash, not inode " + rr.ino + whereElse(s, rr.ino));
                }
            }
            EntryRecord from = entries.get(rr.from);
            if (from.seq == rr.seq && s.dirPaths.containsKey(rr.from.dir)) {
                checked = true;
                Long actual = s.entries.get(rr.from);
                if (actual != null) {
                    failures.add("durable rename #" + rr.seq + " " + rr.description + " (both directories fsynced after it): "
                            + "the old name " + s.path(rr.from) + " still exists after the crash (inode " + actual + ")");
                }
            }
            if (checked) {
                counts.durableRenames++;
            }
        }

        // Atomicity: a node with a durable single name is under exactly one of its names.
        for (Node n : sortedNodes()) {
            if (n.ino == root || !n.anchored || n.multiLinked || !allReachable(n)) {
                continue;
            }
            counts.atomicityChecks++;
            List<Key> found = s.names.getOrDefault(n.ino, List.of());
            for (Key k : found) {
                if (!n.history.contains(k)) {
                    failures.add((n.dir ? "directory" : "file") + " inode " + n.ino + " is at " + s.path(k)
                            + " after the crash, a name it never had; its names: " + describeKeys(n.history));
                }
            }
            if (found.size() > 1 || (found.isEmpty() && !n.removed)) {
                failures.add((n.dir ? "directory" : "file") + " inode " + n.ino + " (its name was durable; since then only "
                        + "renamed" + (n.removed ? " or removed" : "") + ") must be under exactly one of "
                        + describeKeys(n.history) + (n.removed ? " or none" : "") + ", but after the crash it is under "
                        + (found.isEmpty() ? "none" : found.stream().map(s::path).toList()));
            }
        }
        return failures;
    }

    /** The node's names can all be looked at: each directory they are in is sure to be reachable. */
    private boolean allReachable(Node n) {
        for (Key k : n.history) {
            if (!surelyReachable(k.dir, new HashSet<>())) {
                return false;
            }
        }
        return true;
    }

    private boolean surelyReachable(long dir, Set<Long> visiting) {
        if (dir == root) {
            return true;
        }
        Node d = nodes.get(dir);
        if (d == null || !d.anchored || d.removed || d.multiLinked || !visiting.add(dir)) {
            return false;
        }
        for (Key k : d.history) {
            if (!surelyReachable(k.dir, visiting)) {
                return false;
            }
        }
        visiting.remove(dir);
        return true;
    }

    private String whereElse(Snapshot s, long ino) {
        List<Key> names = s.names.getOrDefault(ino, List.of());
        return names.isEmpty() ? " (inode " + ino + " is nowhere in the tree)"
                : " (inode " + ino + " is at " + names.stream().map(s::path).toList() + ")";
    }

    private String describeKeys(Set<Key> keys) {
        List<String> out = new ArrayList<>();
        for (Key k : keys) {
            out.add(k.name + " in dir " + k.dir);
        }
        return out.toString();
    }

    static String describeMismatch(byte[] expected, byte[] got) {
        if (got == null) {
            return "could not be read";
        }
        int at = Arrays.mismatch(expected, got);
        return "differs: expected " + expected.length + " bytes (sha256 " + Trees.sha256(expected).substring(0, 12)
                + "), read " + got.length + " bytes (sha256 " + Trees.sha256(got).substring(0, 12) + "), first difference at byte "
                + at + (at >= 0 && at < got.length && at < expected.length
                        ? " (expected " + (expected[at] & 0xff) + ", read " + (got[at] & 0xff) + ")" : "")
                + (got.length > 0 && allZero(got, Math.max(0, at)) ? "; the rest read back as zeros" : "");
    }

    private static boolean allZero(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private List<Node> sortedNodes() {
        return new TreeMap<>(nodes).values().stream().toList();
    }

    private List<Map.Entry<Key, EntryRecord>> sortedEntries() {
        List<Map.Entry<Key, EntryRecord>> out = new ArrayList<>(entries.entrySet());
        out.sort((a, b) -> Long.compare(a.getValue().seq, b.getValue().seq));
        return out;
    }

    /**
     * A new model from what the remounted filesystem holds, once the test fsynced every file and
     * directory in it: all of it is durable.
     */
    static CrashModel baseline(Snapshot s, long firstSeq, Set<Long> broken) {
        CrashModel m = new CrashModel(s.root, firstSeq);
        long baseSeq = m.begin();
        s.isDir.forEach((ino, dir) -> {
            if (ino == s.root) {
                return;
            }
            Node n = new Node(ino, dir);
            List<Key> names = s.names.get(ino);
            n.history.addAll(names);
            n.anchored = true;
            n.multiLinked = names.size() > 1;
            if (!dir && (s.contents.get(ino) == null || broken.contains(ino))) {
                n.broken = true;
            } else if (!dir) {
                n.content = s.contents.get(ino);
                n.synced = n.content.clone();
                n.dataDurable = true;
            } else {
                m.dirName.put(ino, names.get(0));
            }
            m.nodes.put(ino, n);
        });
        s.entries.forEach((k, ino) -> {
            EntryRecord r = new EntryRecord();
            r.seq = baseSeq;
            r.certain = true;
            r.target = ino;
            r.op = "(there before the workload)";
            m.entries.put(k, r);
            m.current.put(k, ino);
        });
        long synced = m.begin();
        s.isDir.forEach((ino, dir) -> {
            if (dir) {
                m.dirSynced.put(ino, synced);
            }
        });
        return m;
    }
}
