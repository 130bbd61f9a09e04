package dev.zero.b2emulator;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * B2's percent-encoding of file names and file info values in headers and URLs: as
 * application/x-www-form-urlencoded ('+' is a space), except that '/' stays as it is.
 */
final class FileNames {
    private static final int MAX_NAME_BYTES = 1024;

    private FileNames() {
    }

    static String decode(String encoded) {
        try {
            return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw B2Error.badRequest("bad percent-encoding: " + encoded);
        }
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("%2F", "/");
    }

    /** The real service's rules: 1 to 1024 bytes of UTF-8, no control characters. */
    static String requireValid(String name) {
        if (name == null || name.isEmpty()) {
            throw B2Error.badRequest("file name is missing");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw B2Error.badRequest("file name is longer than " + MAX_NAME_BYTES + " bytes");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw B2Error.badRequest("file name contains a control character");
            }
        }
        return name;
    }
}
