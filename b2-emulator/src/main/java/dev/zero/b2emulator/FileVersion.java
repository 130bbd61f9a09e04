package dev.zero.b2emulator;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One version of a file name in the bucket, as the API reports it. Its JSON form is also the
 * metadata sidecar kept next to the content on disk.
 *
 * @param fileId          null only for the "folder" entries of a delimited listing
 * @param contentSha1     hex SHA-1; "none" for large files (B2 keeps no whole-file hash for them) and hide markers
 * @param action          {@link #UPLOAD}, {@link #HIDE}, {@link #START} (an unfinished large file) or {@link #FOLDER}
 * @param uploadTimestamp milliseconds since the epoch; unique within a bucket so versions order strictly
 */
record FileVersion(String fileId,
                   String fileName,
                   long contentLength,
                   String contentType,
                   String contentSha1,
                   Map<String, String> fileInfo,
                   String action,
                   long uploadTimestamp) {

    static final String UPLOAD = "upload";
    static final String HIDE = "hide";
    static final String START = "start";
    static final String FOLDER = "folder";
    static final String NO_SHA1 = "none";

    FileVersion {
        fileInfo = Collections.unmodifiableMap(new TreeMap<>(fileInfo));
    }

    static FileVersion folder(String name) {
        return new FileVersion(null, name, 0, null, null, Map.of(), FOLDER, 0);
    }

    boolean isUpload() {
        return UPLOAD.equals(action);
    }

    boolean isHide() {
        return HIDE.equals(action);
    }

    /**
     * The members B2 answers for a file version, null where B2 sends null: no file lock, legal
     * hold, encryption or replication (the key may not read the first two, as the emulator's key
     * lacks those capabilities).
     */
    Map<String, Object> toJson(String accountId, String bucketId) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("accountId", accountId);
        json.put("bucketId", bucketId);
        json.put("fileId", fileId);
        json.put("fileName", fileName);
        json.put("contentLength", contentLength);
        json.put("contentType", contentType);
        json.put("contentSha1", contentSha1);
        json.put("fileInfo", new LinkedHashMap<>(fileInfo));
        json.put("action", action);
        json.put("uploadTimestamp", uploadTimestamp);
        json.put("fileRetention", unreadable());
        json.put("legalHold", unreadable());
        json.put("serverSideEncryption", noEncryption());
        json.put("replicationStatus", null);
        return json;
    }

    private static Map<String, Object> unreadable() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("isClientAuthorizedToRead", false);
        json.put("value", null);
        return json;
    }

    /** Also the form of a bucket's default: B2's answer for "not encrypted". */
    static Map<String, Object> noEncryption() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("algorithm", null);
        json.put("mode", null);
        return json;
    }

    static FileVersion fromJson(JsonArgs json) {
        return new FileVersion(json.requiredString("fileId"),
                json.requiredString("fileName"),
                json.optionalLong("contentLength", 0),
                json.optionalString("contentType"),
                json.optionalString("contentSha1"),
                json.stringMap("fileInfo"),
                json.requiredString("action"),
                json.optionalLong("uploadTimestamp", 0));
    }
}
