package dev.zero.b2emulator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One page of b2_list_file_names or b2_list_file_versions.
 *
 * @param nextFileName where the next page starts; null when this is the last page
 * @param nextFileId   for version listings, the first version of {@code nextFileName} on the next page
 */
record ListPage(List<FileVersion> files, String nextFileName, String nextFileId) {

    /** Both next members are null on the last page, as B2 sends them. */
    Map<String, Object> toJson(String accountId, String bucketId) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("files", files.stream().map(file -> file.toJson(accountId, bucketId)).toList());
        json.put("nextFileName", nextFileName);
        json.put("nextFileId", nextFileId);
        return json;
    }
}
