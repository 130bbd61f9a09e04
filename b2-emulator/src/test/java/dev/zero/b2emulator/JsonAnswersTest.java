package dev.zero.b2emulator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JSON answers carry the members B2 sends, null where B2 sends null: clients other than the
 * Java SDK look members up without a default and fail on one that is missing.
 */
class JsonAnswersTest {
    @TempDir
    Path dataDir;

    private B2Emulator emulator;
    private RawB2 raw;
    private String token;

    @BeforeEach
    void start() throws Exception {
        emulator = B2Emulator.start(EmulatorConfig.of(dataDir, Sdk.KEY_ID, Sdk.KEY, Sdk.BUCKET_ID));
        raw = new RawB2(emulator);
        token = raw.accountToken();
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    @Test
    void authorizationNamesTheBucketAndANullNamePrefix() throws Exception {
        Map<String, Object> answer = raw.authorize();

        Map<?, ?> allowed = (Map<?, ?>) answer.get("allowed");
        assertEquals(Sdk.BUCKET_ID, allowed.get("bucketId"));
        assertNullMember(allowed, "namePrefix");
        assertNotNull(answer.get("s3ApiUrl"));
    }

    @Test
    void anUploadAnswersEveryMemberOfAFileVersion() throws Exception {
        byte[] content = Sdk.randomBytes(100, 50);

        Map<String, Object> version = upload("a", content);

        assertEquals(Sdk.KEY_ID, version.get("accountId"));
        assertEquals(Sdk.BUCKET_ID, version.get("bucketId"));
        assertEquals("upload", version.get("action"));
        assertEquals("a", version.get("fileName"));
        assertEquals(100L, version.get("contentLength"));
        assertEquals(Sdk.sha1(content), version.get("contentSha1"));
        assertEquals("application/octet-stream", version.get("contentType"));
        assertEquals(Map.of(), version.get("fileInfo"));
        assertInstanceOf(Long.class, version.get("uploadTimestamp"));
        assertNullMember(version, "replicationStatus");
        assertEquals(unreadable(), version.get("fileRetention"));
        assertEquals(unreadable(), version.get("legalHold"));
        assertNullMember((Map<?, ?>) version.get("serverSideEncryption"), "mode");
    }

    @Test
    void theLastPageOfAListingHasNullNextMembers() throws Exception {
        upload("a", new byte[] {1});
        upload("b", new byte[] {2});

        Map<String, Object> full = RawB2.json(raw.call("b2_list_file_names", token,
                "{\"bucketId\":\"" + Sdk.BUCKET_ID + "\",\"maxFileCount\":1}"));
        Map<String, Object> names = RawB2.json(raw.call("b2_list_file_names", token, RawB2.listNamesJson()));
        Map<String, Object> versions = RawB2.json(raw.call("b2_list_file_versions", token, RawB2.listNamesJson()));

        assertEquals("b", full.get("nextFileName"));
        assertEquals(2, ((List<?>) names.get("files")).size());
        assertNullMember(names, "nextFileName");
        assertNullMember(versions, "nextFileName");
        assertNullMember(versions, "nextFileId");
    }

    @Test
    void aHideMarkerHasNoContentAndShaOneNone() throws Exception {
        upload("gone", new byte[] {1});

        Map<String, Object> marker = RawB2.json(raw.call("b2_hide_file", token,
                "{\"bucketId\":\"" + Sdk.BUCKET_ID + "\",\"fileName\":\"gone\"}"));

        assertEquals("hide", marker.get("action"));
        assertEquals(0L, marker.get("contentLength"));
        assertEquals("none", marker.get("contentSha1"));
        assertNullMember(marker, "contentType");
        assertEquals(Map.of(), marker.get("fileInfo"));
        assertEquals(Sdk.KEY_ID, marker.get("accountId"));
    }

    @Test
    void aFolderEntryHasANullFileId() throws Exception {
        upload("dir/a", new byte[] {1});

        Map<String, Object> listing = RawB2.json(raw.call("b2_list_file_names", token,
                "{\"bucketId\":\"" + Sdk.BUCKET_ID + "\",\"delimiter\":\"/\"}"));

        Map<?, ?> folder = (Map<?, ?>) ((List<?>) listing.get("files")).get(0);
        assertEquals("folder", folder.get("action"));
        assertEquals("dir/", folder.get("fileName"));
        assertNullMember(folder, "fileId");
        assertEquals(0L, folder.get("uploadTimestamp"));
    }

    @Test
    void aLargeFileHasShaOneNoneFromStartToFinish() throws Exception {
        Map<String, Object> started = RawB2.json(raw.call("b2_start_large_file", token,
                "{\"bucketId\":\"" + Sdk.BUCKET_ID + "\",\"fileName\":\"big\",\"contentType\":\"b2/x-auto\"}"));
        String fileId = (String) started.get("fileId");
        Map<String, Object> target = RawB2.json(raw.call("b2_get_upload_part_url", token,
                "{\"fileId\":\"" + fileId + "\"}"));
        byte[] part = Sdk.randomBytes(1000, 51);
        RawB2.json(raw.uploadPart((String) target.get("uploadUrl"), (String) target.get("authorizationToken"), 1, part));
        Map<String, Object> parts = RawB2.json(raw.call("b2_list_parts", token, "{\"fileId\":\"" + fileId + "\"}"));
        Map<String, Object> finished = RawB2.json(raw.call("b2_finish_large_file", token,
                "{\"fileId\":\"" + fileId + "\",\"partSha1Array\":[\"" + Sdk.sha1(part) + "\"]}"));

        assertEquals("start", started.get("action"));
        assertEquals("none", started.get("contentSha1"));
        assertEquals(Map.of(), started.get("fileInfo"));
        assertNullMember(parts, "nextPartNumber");
        assertEquals("upload", finished.get("action"));
        assertEquals("none", finished.get("contentSha1"));
        assertEquals(1000L, finished.get("contentLength"));
    }

    private Map<String, Object> upload(String fileName, byte[] content) throws Exception {
        Map<String, Object> target = RawB2.json(raw.call("b2_get_upload_url", token,
                "{\"bucketId\":\"" + Sdk.BUCKET_ID + "\"}"));
        return RawB2.json(raw.upload((String) target.get("uploadUrl"), (String) target.get("authorizationToken"),
                fileName, content));
    }

    /** B2's answer for a file lock setting the key has no capability to read. */
    private static Map<String, Object> unreadable() {
        Map<String, Object> json = new HashMap<>();
        json.put("isClientAuthorizedToRead", false);
        json.put("value", null);
        return json;
    }

    private static void assertNullMember(Map<?, ?> json, String member) {
        assertTrue(json.containsKey(member), member + " must be sent, as null: " + json);
        assertEquals(null, json.get(member), member);
    }
}
