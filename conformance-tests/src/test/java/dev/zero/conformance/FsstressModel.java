package dev.zero.conformance;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * What one {@link FsstressWorker} believes its directory tree holds: the oracle every read, stat
 * and readdir is checked against. Paths are relative to the worker's directory, "" being that
 * directory itself; hard-linked names share one {@link Inode}.
 */
final class FsstressModel {
    /** A regular file's content and attributes, shared by all of its names. */
    static final class Inode {
        byte[] content;
        int mode = 0644;
        int links = 1;
        /** Set by utimes; null once a write or truncate has changed it to some "now". */
        Instant mtime;

        Inode(byte[] content) {
            this.content = content;
        }
    }

    sealed interface Entry permits Dir, File, Symlink {}

    static final class Dir implements Entry {
        int mode = 0755;
    }

    record File(Inode inode) implements Entry {}

    record Symlink(String target) implements Entry {}

    private final TreeMap<String, Entry> entries = new TreeMap<>(Map.of("", new Dir()));

    static String child(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }

    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    Entry get(String path) {
        return entries.get(path);
    }

    /** Every path whose entry matches, in a fixed order so that a seed replays the same run. */
    List<String> paths(Predicate<Entry> which) {
        List<String> paths = new ArrayList<>();
        entries.forEach((path, entry) -> {
            if (which.test(entry)) {
                paths.add(path);
            }
        });
        return paths;
    }

    /** The names directly in {@code dir}. */
    List<String> children(String dir) {
        String prefix = dir.isEmpty() ? "" : dir + "/";
        List<String> names = new ArrayList<>();
        for (String path : entries.tailMap(prefix, false).keySet()) {
            if (!path.startsWith(prefix)) {
                break;
            }
            String rest = path.substring(prefix.length());
            if (rest.indexOf('/') < 0) {
                names.add(rest);
            }
        }
        return names;
    }

    boolean isInside(String path, String dir) {
        return path.equals(dir) || path.startsWith(dir + "/");
    }

    int inodes() {
        return (int) entries.values().stream().filter(File.class::isInstance).map(e -> ((File) e).inode()).distinct().count();
    }

    int names() {
        return entries.size();
    }

    void add(String path, Entry entry) {
        entries.put(path, entry);
    }

    /** Removes a name; the last name of a file takes its inode with it. */
    void remove(String path) {
        if (entries.remove(path) instanceof File file) {
            file.inode().links--;
        }
    }

    /** rename(2): {@code to} is replaced if it exists; a directory takes everything under it along. */
    void rename(String from, String to) {
        remove(to);
        String prefix = from + "/";
        List<String> moved = new ArrayList<>(List.of(from));
        for (String path : entries.tailMap(prefix, true).keySet()) {
            if (!path.startsWith(prefix)) {
                break;
            }
            moved.add(path);
        }
        for (String path : moved) {
            entries.put(to + path.substring(from.length()), entries.remove(path));
        }
    }
}
