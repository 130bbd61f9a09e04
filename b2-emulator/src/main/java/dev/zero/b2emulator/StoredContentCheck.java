package dev.zero.b2emulator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a stored file still holds the bytes its version recorded at upload (length, and SHA-1
 * where there is one). A download of one that does not fails at once with a 500, as B2 fails a
 * damaged object, instead of sending a short body and leaving the client to wait for the rest
 * until its socket times out. A file's SHA-1 is checked once and trusted until its size or
 * modification time changes, so the ranged reads of a large object do not hash it each time.
 */
final class StoredContentCheck {
    private record Checked(long size, FileTime modified) {}

    private final Map<String, Checked> intact = new ConcurrentHashMap<>();

    void requireIntact(FileVersion version, Path file, FileChannel content) throws IOException {
        long size = content.size();
        if (size != version.contentLength()) {
            throw damaged(version, size + " bytes are stored but " + version.contentLength() + " were uploaded");
        }
        if (version.contentSha1().equals(FileVersion.NO_SHA1)) {
            return;
        }
        Checked now = new Checked(size, Files.getLastModifiedTime(file));
        if (now.equals(intact.get(version.fileId()))) {
            return;
        }
        if (!sha1(content).equalsIgnoreCase(version.contentSha1())) {
            throw damaged(version, "their SHA-1 is not the one recorded at upload");
        }
        intact.put(version.fileId(), now);
    }

    private static B2Error damaged(FileVersion version, String why) {
        return new B2Error(500, "internal_error", "the stored bytes of " + version.fileName() + " are damaged: " + why, null);
    }

    private static String sha1(FileChannel content) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-1", e);
        }
        content.position(0);
        // Not closed: closing the stream would close the channel the download still reads.
        InputStream in = Channels.newInputStream(content);
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
