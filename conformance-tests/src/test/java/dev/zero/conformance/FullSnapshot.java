package dev.zero.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Everything a restore must bring back, path by path: the entries (by readdir), each one's lstat
 * (type, permissions, owner, link count, size, device numbers, the three times with nanoseconds,
 * inode number), its content (SHA-256 of a regular file, target of a symlink), its user xattrs,
 * and which names share its inode. "." is the tree's root. {@link #assertSameAs} compares field by
 * field, and a failure names each field and path that differs.
 */
record FullSnapshot(List<String> paths, SortedMap<String, Stat> stats, SortedMap<String, String> contents,
                    SortedMap<String, String> xattrs) {

    /** Lists and reads everything, then takes the stats: what the tree is once it has been read. */
    static FullSnapshot take(Path root) {
        List<String> paths = allPaths(root);
        SortedMap<String, String> contents = new TreeMap<>();
        SortedMap<String, String> xattrs = new TreeMap<>();
        read(root, paths, contents, xattrs);
        return new FullSnapshot(paths, Snapshot.statsOf(root, paths), contents, xattrs);
    }

    /**
     * Stats {@code expectedPaths} first (a missing one is recorded as such), and only then lists
     * and reads the tree: the stats are what the tree was before anything read it.
     */
    static FullSnapshot takeStatsFirst(Path root, List<String> expectedPaths) {
        SortedMap<String, Stat> stats = new TreeMap<>();
        for (String path : expectedPaths) {
            try {
                stats.put(path, Sys.lstat(root.resolve(path)));
            } catch (ErrnoException e) {
                stats.put(path, null);
            }
        }
        List<String> paths = allPaths(root);
        for (String path : paths) {
            if (!stats.containsKey(path)) {
                stats.put(path, Sys.lstat(root.resolve(path)));
            }
        }
        SortedMap<String, String> contents = new TreeMap<>();
        SortedMap<String, String> xattrs = new TreeMap<>();
        read(root, paths, contents, xattrs);
        return new FullSnapshot(paths, stats, contents, xattrs);
    }

    private static List<String> allPaths(Path root) {
        List<String> paths = new ArrayList<>();
        paths.add(".");
        paths.addAll(Trees.list(root));
        return paths;
    }

    private static void read(Path root, List<String> paths, SortedMap<String, String> contents, SortedMap<String, String> xattrs) {
        for (String path : paths) {
            Path file = root.resolve(path);
            Stat st = Sys.lstat(file);
            if (st.isSymlink()) {
                contents.put(path, "-> " + Sys.readlink(file));
                xattrs.put(path, ""); // listxattr would follow the link
                continue;
            }
            contents.put(path, st.isRegularFile() ? "sha256 " + Trees.sha256(Sys.readFile(file)) : "");
            StringBuilder out = new StringBuilder();
            for (String name : Sys.listxattr(file).stream().filter(n -> n.startsWith("user.")).sorted().toList()) {
                out.append(name).append('=').append(HexFormat.of().formatHex(Sys.getxattr(file, name))).append(' ');
            }
            xattrs.put(path, out.toString().trim());
        }
    }

    /** For each non-directory path, every path with the same inode number (itself included). */
    SortedMap<String, String> inodeSharing() {
        Map<Long, TreeSet<String>> byIno = new TreeMap<>();
        stats.forEach((path, st) -> {
            if (st != null && !st.isDirectory()) {
                byIno.computeIfAbsent(st.ino(), ino -> new TreeSet<>()).add(path);
            }
        });
        SortedMap<String, String> out = new TreeMap<>();
        stats.forEach((path, st) -> out.put(path, st == null ? "missing"
                : st.isDirectory() ? "directory" : String.join(", ", byIno.get(st.ino()))));
        return out;
    }

    /** The number of distinct inodes in the tree, the root included. */
    long inodeCount() {
        return stats.values().stream().filter(st -> st != null).mapToLong(Stat::ino).distinct().count();
    }

    /** Every field, by name, as path -> value. */
    Map<String, SortedMap<String, ?>> fields() {
        Map<String, SortedMap<String, ?>> fields = new LinkedHashMap<>();
        fields.put("type", field(st -> "0" + Integer.toOctalString(st.type())));
        fields.put("permissions", field(st -> String.format("%04o", st.permissions())));
        fields.put("uid", field(Stat::uid));
        fields.put("gid", field(Stat::gid));
        fields.put("nlink", field(Stat::nlink));
        fields.put("size", field(Stat::size));
        fields.put("rdev", field(st -> st.rdevMajor() + ":" + st.rdevMinor()));
        fields.put("mtime", field(Stat::mtime));
        fields.put("atime", field(Stat::atime));
        fields.put("ctime", field(Stat::ctime));
        fields.put("inode number", field(Stat::ino));
        fields.put("names sharing the inode", inodeSharing());
        fields.put("content", contents);
        fields.put("user xattrs", xattrs);
        return fields;
    }

    private SortedMap<String, Object> field(Function<Stat, Object> field) {
        SortedMap<String, Object> out = new TreeMap<>();
        stats.forEach((path, st) -> out.put(path, st == null ? "missing" : field.apply(st)));
        return out;
    }

    /**
     * Asserts the entries are the same and every field of every entry is equal. The failure lists
     * every difference, one line each: the field, the path, the expected and the actual value.
     */
    void assertSameAs(FullSnapshot expected, String what) {
        List<String> differences = new ArrayList<>();
        if (!expected.paths().equals(paths())) {
            TreeSet<String> missing = new TreeSet<>(expected.paths());
            missing.removeAll(paths());
            TreeSet<String> extra = new TreeSet<>(paths());
            extra.removeAll(expected.paths());
            differences.add("entries (readdir): missing " + missing + ", unexpected " + extra);
        }
        Map<String, SortedMap<String, ?>> mine = fields();
        expected.fields().forEach((name, values) -> {
            SortedMap<String, ?> actual = mine.get(name);
            TreeSet<String> paths = new TreeSet<>(values.keySet());
            paths.addAll(actual.keySet());
            for (String path : paths) {
                Object want = values.containsKey(path) ? values.get(path) : "(no entry)";
                Object got = actual.containsKey(path) ? actual.get(path) : "(no entry)";
                if (!want.equals(got)) {
                    differences.add(name + " of '" + path + "': expected <" + want + "> but was <" + got + ">");
                }
            }
        });
        if (!differences.isEmpty()) {
            fail(what + ": " + differences.size() + " differences\n  " + String.join("\n  ", differences));
        }
    }
}
