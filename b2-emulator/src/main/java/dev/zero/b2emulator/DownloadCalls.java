package dev.zero.b2emulator;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.NoSuchFileException;
import java.util.Map;

/** Downloads by id and by name (GET, and HEAD for the headers alone), whole or by byte range. */
final class DownloadCalls {
    static final String BY_NAME_PATH = "/file/";

    private final BucketStore store;
    private final String bucketName;
    private final StoredContentCheck check = new StoredContentCheck();

    DownloadCalls(BucketStore store, String bucketName) {
        this.store = store;
        this.bucketName = bucketName;
    }

    static boolean isDownload(String path) {
        return path.startsWith(BY_NAME_PATH) || path.equals(ApiHandler.API_PATH + ApiHandler.DOWNLOAD_BY_ID);
    }

    /** @param cut whether to send only the first half of the body, then close the connection */
    void byId(HttpExchange exchange, boolean cut) throws IOException {
        String fileId = Exchanges.queryParameters(exchange).get("fileId");
        if (fileId == null) {
            throw B2Error.badRequest("fileId is required");
        }
        FileVersion version = store.version(fileId)
                .filter(FileVersion::isUpload)
                .orElseThrow(() -> B2Error.notFound("file not found: " + fileId));
        send(exchange, version, cut);
    }

    void byName(HttpExchange exchange, boolean cut) throws IOException {
        String rest = exchange.getRequestURI().getRawPath().substring(BY_NAME_PATH.length());
        int slash = rest.indexOf('/');
        if (slash < 0 || !FileNames.decode(rest.substring(0, slash)).equals(bucketName)) {
            throw B2Error.notFound("bucket not found: " + rest);
        }
        String fileName = FileNames.decode(rest.substring(slash + 1));
        FileVersion version = store.latestVisible(fileName)
                .orElseThrow(() -> B2Error.notFound("file not found: " + fileName));
        send(exchange, version, cut);
    }

    private void send(HttpExchange exchange, FileVersion version, boolean cut) throws IOException {
        try (FileChannel content = open(version)) {
            if (!exchange.getRequestMethod().equals("HEAD")) {
                check.requireIntact(version, store.contentOf(version), content);
            }
            ByteRange range = ByteRange.of(exchange.getRequestHeaders().getFirst("Range"), version.contentLength());
            Headers headers = exchange.getResponseHeaders();
            headers.set("Content-Type", version.contentType());
            headers.set("Accept-Ranges", "bytes");
            headers.set("X-Bz-File-Id", version.fileId());
            headers.set("X-Bz-File-Name", FileNames.encode(version.fileName()));
            headers.set("X-Bz-Content-Sha1", version.contentSha1());
            headers.set("X-Bz-Upload-Timestamp", Long.toString(version.uploadTimestamp()));
            for (Map.Entry<String, String> info : version.fileInfo().entrySet()) {
                headers.set("X-Bz-Info-" + info.getKey(), FileNames.encode(info.getValue()));
            }
            if (range.partial()) {
                headers.set("Content-Range", range.contentRange());
            }
            int status = range.partial() ? 206 : 200;
            if (exchange.getRequestMethod().equals("HEAD")) {
                // The JDK server sends no Content-Length of its own for HEAD; the SDK reads the size from it.
                headers.set("Content-Length", Long.toString(range.length()));
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            if (range.length() == 0) {
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            exchange.sendResponseHeaders(status, range.length());
            long toSend = cut ? range.length() / 2 : range.length();
            try (OutputStream out = exchange.getResponseBody()) {
                WritableByteChannel sink = Channels.newChannel(out);
                long sent = 0;
                while (sent < toSend) {
                    long n = content.transferTo(range.first() + sent, toSend - sent, sink);
                    if (n <= 0) {
                        // Cut while being sent: the body ends short, at once.
                        out.flush();
                        Exchanges.closeConnectionUnder(out);
                        throw new IOException(version.fileName() + " shrank to " + (range.first() + sent) + " bytes while it was sent");
                    }
                    sent += n;
                }
                if (cut) {
                    out.flush(); // the half that is sent must reach the client before the connection closes
                    Exchanges.closeConnectionUnder(out);
                    throw new IOException("injected fault: download cut after " + sent + " of " + range.length() + " bytes");
                }
            }
        }
    }

    /** A version deleted between lookup and open is as gone as one never found. */
    private FileChannel open(FileVersion version) throws IOException {
        try {
            return FileChannel.open(store.contentOf(version));
        } catch (NoSuchFileException e) {
            throw B2Error.notFound("file not found: " + version.fileName());
        }
    }
}
