package dev.zero.b2emulator;

import java.util.LinkedHashMap;
import java.util.Map;

/** One uploaded part of an unfinished large file. Its JSON form is also the part's sidecar on disk. */
record Part(String fileId, int partNumber, long contentLength, String contentSha1, long uploadTimestamp) {

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("fileId", fileId);
        json.put("partNumber", partNumber);
        json.put("contentLength", contentLength);
        json.put("contentSha1", contentSha1);
        json.put("uploadTimestamp", uploadTimestamp);
        return json;
    }

    static Part fromJson(JsonArgs json) {
        return new Part(json.requiredString("fileId"),
                json.optionalInt("partNumber", 0),
                json.optionalLong("contentLength", 0),
                json.requiredString("contentSha1"),
                json.optionalLong("uploadTimestamp", 0));
    }
}
