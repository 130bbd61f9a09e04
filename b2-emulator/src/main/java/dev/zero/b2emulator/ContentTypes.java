package dev.zero.b2emulator;

import java.net.URLConnection;

/** The content type stored for an upload. */
final class ContentTypes {
    /** The value asking the service to pick a type from the file name. */
    static final String AUTO = "b2/x-auto";
    private static final String DEFAULT = "application/octet-stream";

    private ContentTypes() {
    }

    static String resolve(String requested, String fileName) {
        if (requested == null || requested.isBlank()) {
            throw B2Error.badRequest("Content-Type is required");
        }
        if (!requested.equals(AUTO)) {
            return requested;
        }
        String guessed = URLConnection.guessContentTypeFromName(fileName);
        return guessed != null ? guessed : DEFAULT;
    }
}
