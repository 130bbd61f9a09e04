package dev.zero.conformance;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Everything observable about a tree: its entries (by readdir), each entry's content (SHA-256,
 * symlink target, user xattrs) and each entry's lstat. The stats are taken after all the reads,
 * because reading may legitimately move atimes; "." is the tree's root itself.
 */
public record Snapshot(List<String> paths, SortedMap<String, String> contents, SortedMap<String, Stat> stats) {

    public static Snapshot take(Path root) {
        List<String> paths = new ArrayList<>();
        paths.add(".");
        paths.addAll(Trees.list(root));
        SortedMap<String, String> contents = new TreeMap<>();
        for (String path : paths) {
            contents.put(path, content(root.resolve(path)));
        }
        return new Snapshot(paths, contents, statsOf(root, paths));
    }

    /** lstat of each path, without reading anything first. */
    public static SortedMap<String, Stat> statsOf(Path root, List<String> paths) {
        SortedMap<String, Stat> stats = new TreeMap<>();
        for (String path : paths) {
            stats.put(path, Sys.lstat(root.resolve(path)));
        }
        return stats;
    }

    /** One field of every entry's stat, for comparisons whose failures show every path. */
    public static <T> SortedMap<String, T> field(SortedMap<String, Stat> stats, Function<Stat, T> field) {
        SortedMap<String, T> out = new TreeMap<>();
        stats.forEach((path, stat) -> out.put(path, field.apply(stat)));
        return out;
    }

    private static String content(Path path) {
        Stat st = Sys.lstat(path);
        if (st.isSymlink()) {
            return "-> " + Sys.readlink(path);
        }
        StringBuilder out = new StringBuilder();
        if (st.isRegularFile()) {
            out.append("sha256 ").append(Trees.sha256(Sys.readFile(path)));
        }
        for (String name : Sys.listxattr(path).stream().filter(n -> n.startsWith("user.")).sorted().toList()) {
            out.append(" ").append(name).append("=").append(HexFormat.of().formatHex(Sys.getxattr(path, name)));
        }
        return out.toString().trim();
    }
}
