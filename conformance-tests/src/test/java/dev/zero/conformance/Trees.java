package dev.zero.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/** Directory-tree helpers: listing, describing for comparison, deleting. */
public final class Trees {
    private Trees() {}

    /** Every path below {@code root} (not root itself), relative, in sorted order; via readdir. */
    public static List<String> list(Path root) {
        List<String> out = new ArrayList<>();
        collect(root, root, out);
        out.sort(null);
        return out;
    }

    private static void collect(Path root, Path dir, List<String> out) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                out.add(root.relativize(entry).toString());
                if (Sys.lstat(entry).isDirectory()) {
                    collect(root, entry, out);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Names in one directory, via readdir, sorted. */
    public static List<String> names(Path dir) {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.forEach(entry -> out.add(entry.getFileName().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(null);
        return out;
    }

    /**
     * Path -> "type permissions content" for every entry below {@code root}: what a faithful copy
     * of a tree must reproduce (content as SHA-256, symlinks as their target).
     */
    public static SortedMap<String, String> describe(Path root) {
        SortedMap<String, String> out = new TreeMap<>();
        for (String relative : list(root)) {
            Path path = root.resolve(relative);
            Stat st = Sys.lstat(path);
            String perms = String.format("%04o", st.permissions());
            out.put(relative, switch (st.type()) {
                case Stat.S_IFDIR -> "dir " + perms;
                case Stat.S_IFREG -> "file " + perms + " " + sha256(Sys.readFile(path));
                case Stat.S_IFLNK -> "symlink -> " + Sys.readlink(path);
                default -> "type 0" + Integer.toOctalString(st.type()) + " " + perms;
            });
        }
        return out;
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deletes {@code root} and everything below it, not following symlinks; missing is fine. */
    public static void deleteRecursively(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // Already gone.
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
