package dev.zero.b2emulator;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Uploads of whole files and of large-file parts, whose bodies stream to disk. */
final class UploadCalls {
    private static final String FILE_INFO_PREFIX = "X-Bz-Info-";
    private static final int MAX_PART_NUMBER = 10_000;

    private final BucketStore store;

    UploadCalls(BucketStore store) {
        this.store = store;
    }

    Map<String, Object> uploadFile(HttpExchange exchange, String bucketId) throws IOException {
        if (!bucketId.equals(store.bucketId())) {
            throw B2Error.badRequest("Invalid bucketId: " + bucketId);
        }
        Headers headers = exchange.getRequestHeaders();
        String fileName = FileNames.requireValid(FileNames.decode(requiredHeader(headers, "X-Bz-File-Name")));
        String contentType = ContentTypes.resolve(headers.getFirst("Content-Type"), fileName);
        Map<String, String> fileInfo = fileInfo(headers);
        ReceivedBody body = receive(exchange);
        try {
            return store.addUpload(fileName, contentType, fileInfo, body).toJson(store.accountId(), bucketId);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(body.file());
            throw e;
        }
    }

    Map<String, Object> uploadPart(HttpExchange exchange, String fileId) throws IOException {
        store.unfinishedLargeFile(fileId); // refuse before receiving a body that could not be kept
        int partNumber;
        try {
            partNumber = Integer.parseInt(requiredHeader(exchange.getRequestHeaders(), "X-Bz-Part-Number"));
        } catch (NumberFormatException e) {
            throw B2Error.badRequest("X-Bz-Part-Number is not a number");
        }
        if (partNumber < 1 || partNumber > MAX_PART_NUMBER) {
            throw B2Error.badRequest("X-Bz-Part-Number must be 1.." + MAX_PART_NUMBER);
        }
        ReceivedBody body = receive(exchange);
        try {
            return store.addPart(fileId, partNumber, body).toJson();
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(body.file());
            throw e;
        }
    }

    private ReceivedBody receive(HttpExchange exchange) throws IOException {
        Headers headers = exchange.getRequestHeaders();
        long length;
        try {
            length = Long.parseLong(requiredHeader(headers, "Content-Length"));
        } catch (NumberFormatException e) {
            throw B2Error.badRequest("Content-Length is not a number");
        }
        return ReceivedBody.receive(exchange.getRequestBody(), length, headers.getFirst("X-Bz-Content-Sha1"),
                store.newTempFile());
    }

    /**
     * The {@code X-Bz-Info-*} headers. The JDK server lower-cases header names after their first
     * letter, so info names arrive (and are kept) in lower case; B2 treats them case-insensitively.
     */
    private static Map<String, String> fileInfo(Headers headers) {
        Map<String, String> fileInfo = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            String name = header.getKey();
            if (name.length() > FILE_INFO_PREFIX.length()
                    && name.regionMatches(true, 0, FILE_INFO_PREFIX, 0, FILE_INFO_PREFIX.length())) {
                fileInfo.put(name.substring(FILE_INFO_PREFIX.length()), FileNames.decode(header.getValue().get(0)));
            }
        }
        return fileInfo;
    }

    private static String requiredHeader(Headers headers, String name) {
        String value = headers.getFirst(name);
        if (value == null) {
            throw B2Error.badRequest(name + " header is required");
        }
        return value;
    }
}
