package dev.zero.b2emulator;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * An upload body written to a file and checked against its SHA-1, streamed so a body of any size
 * needs only a small buffer.
 *
 * @param file          where the content now is
 * @param contentLength bytes of content (without the trailing hex digits, if any)
 * @param sha1          hex SHA-1 of the content, verified
 */
record ReceivedBody(Path file, long contentLength, String sha1) {

    /** The SDK's header value meaning "the last 40 bytes of the body are the hex SHA-1 of the rest". */
    static final String HEX_DIGITS_AT_END = "hex_digits_at_end";
    private static final int HEX_SHA1_LENGTH = 40;

    /**
     * Reads exactly {@code bodyLength} bytes into {@code target}; on a wrong or unreadable
     * checksum the file is removed and a 400 is thrown.
     */
    static ReceivedBody receive(InputStream body, long bodyLength, String sha1Header, Path target) throws IOException {
        if (sha1Header == null) {
            throw B2Error.badRequest("X-Bz-Content-Sha1 is required");
        }
        boolean digitsAtEnd = sha1Header.equals(HEX_DIGITS_AT_END);
        if (!digitsAtEnd && !isHexSha1(sha1Header)) {
            throw B2Error.badRequest("X-Bz-Content-Sha1 is not a hex SHA-1: " + sha1Header);
        }
        long contentLength = digitsAtEnd ? bodyLength - HEX_SHA1_LENGTH : bodyLength;
        if (contentLength < 0) {
            throw B2Error.badRequest("body is shorter than its trailing SHA-1");
        }
        try {
            MessageDigest digest = newSha1();
            try (OutputStream out = Files.newOutputStream(target)) {
                copy(body, out, contentLength, digest);
            }
            String expected = digitsAtEnd
                    ? new String(body.readNBytes(HEX_SHA1_LENGTH), StandardCharsets.US_ASCII)
                    : sha1Header;
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equalsIgnoreCase(expected)) {
                throw B2Error.badRequest("Checksum did not match data received");
            }
            return new ReceivedBody(target, contentLength, actual);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(target);
            throw e;
        }
    }

    private static void copy(InputStream in, OutputStream out, long length, MessageDigest digest) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long remaining = length;
        while (remaining > 0) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (read < 0) {
                throw new EOFException("body ended " + remaining + " bytes before its Content-Length");
            }
            digest.update(buffer, 0, read);
            out.write(buffer, 0, read);
            remaining -= read;
        }
    }

    private static boolean isHexSha1(String value) {
        return value.length() == HEX_SHA1_LENGTH && value.chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }

    private static MessageDigest newSha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }
}
