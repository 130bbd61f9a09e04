package dev.zero.b2emulator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Map.entry;

/** The API calls that take and return JSON, each answering what the real service answers. */
final class JsonCalls {

    @FunctionalInterface
    interface Call {
        Object answer(JsonArgs args) throws IOException;
    }

    private static final int DEFAULT_MAX_FILE_COUNT = 100;
    private static final int MAX_FILE_COUNT = 10_000;
    private static final int DEFAULT_MAX_PART_COUNT = 100;
    private static final int MAX_PART_COUNT = 1_000;
    private static final int MAX_PART_NUMBER = 10_000;
    private static final int MAX_UNFINISHED_COUNT = 100;
    private static final List<String> CAPABILITIES = List.of(
            "listBuckets", "readBuckets", "listFiles", "readFiles", "shareFiles", "writeFiles", "deleteFiles");

    private final EmulatorConfig config;
    private final BucketStore store;
    private final Tokens tokens;
    private final String baseUrl;
    private final Map<String, Call> calls;

    JsonCalls(EmulatorConfig config, BucketStore store, Tokens tokens, String baseUrl) {
        this.config = config;
        this.store = store;
        this.tokens = tokens;
        this.baseUrl = baseUrl;
        this.calls = Map.ofEntries(
                entry("b2_get_upload_url", this::getUploadUrl),
                entry("b2_start_large_file", this::startLargeFile),
                entry("b2_get_upload_part_url", this::getUploadPartUrl),
                entry("b2_finish_large_file", this::finishLargeFile),
                entry("b2_list_parts", this::listParts),
                entry("b2_list_unfinished_large_files", this::listUnfinishedLargeFiles),
                entry("b2_cancel_large_file", this::cancelLargeFile),
                entry("b2_list_file_names", this::listFileNames),
                entry("b2_list_file_versions", this::listFileVersions),
                entry("b2_delete_file_version", this::deleteFileVersion),
                entry("b2_hide_file", this::hideFile),
                entry("b2_get_file_info", this::getFileInfo),
                entry("b2_list_buckets", this::listBuckets));
    }

    Optional<Call> find(String api) {
        return Optional.ofNullable(calls.get(api));
    }

    /** b2_authorize_account: the key arrives as {@code Authorization: Basic base64(keyId:key)}. */
    Map<String, Object> authorize(String authorization) {
        String expected = config.keyId() + ":" + config.key();
        if (authorization == null || !authorization.startsWith("Basic ")
                || !expected.equals(decodeBasic(authorization.substring("Basic ".length())))) {
            throw new B2Error(401, "unauthorized", "invalid application key id or application key", null);
        }
        Map<String, Object> allowed = new LinkedHashMap<>();
        allowed.put("capabilities", CAPABILITIES);
        allowed.put("bucketId", config.bucketId());
        allowed.put("bucketName", config.bucketName());
        allowed.put("namePrefix", null);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("accountId", config.keyId());
        answer.put("authorizationToken", tokens.issue());
        answer.put("apiUrl", baseUrl);
        answer.put("downloadUrl", baseUrl);
        answer.put("recommendedPartSize", config.recommendedPartSize());
        answer.put("absoluteMinimumPartSize", config.absoluteMinimumPartSize());
        answer.put("allowed", allowed);
        // B2 always names its S3-compatible endpoint, and some clients require the member; the
        // emulator serves no S3 calls, so any made there are answered 404.
        answer.put("s3ApiUrl", baseUrl);
        return answer;
    }

    private static String decodeBasic(String encoded) {
        try {
            return new String(Base64.getDecoder().decode(encoded.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private Object getUploadUrl(JsonArgs args) {
        String bucketId = requireBucket(args);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("bucketId", bucketId);
        answer.put("uploadUrl", baseUrl + ApiHandler.UPLOAD_FILE_PATH + bucketId);
        answer.put("authorizationToken", tokens.issue());
        return answer;
    }

    private Object startLargeFile(JsonArgs args) throws IOException {
        requireBucket(args);
        String fileName = FileNames.requireValid(args.requiredString("fileName"));
        String contentType = ContentTypes.resolve(args.optionalString("contentType"), fileName);
        return store.startLargeFile(fileName, contentType, args.stringMap("fileInfo")).toJson(store.accountId(), store.bucketId());
    }

    private Object getUploadPartUrl(JsonArgs args) {
        String fileId = store.unfinishedLargeFile(args.requiredString("fileId")).fileId();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("fileId", fileId);
        answer.put("uploadUrl", baseUrl + ApiHandler.UPLOAD_PART_PATH + fileId);
        answer.put("authorizationToken", tokens.issue());
        return answer;
    }

    private Object finishLargeFile(JsonArgs args) throws IOException {
        return store.finishLargeFile(args.requiredString("fileId"), args.requiredStringList("partSha1Array"),
                config.absoluteMinimumPartSize()).toJson(store.accountId(), store.bucketId());
    }

    private Object listParts(JsonArgs args) {
        int startPartNumber = args.optionalInt("startPartNumber", 1);
        int maxPartCount = args.optionalInt("maxPartCount", DEFAULT_MAX_PART_COUNT);
        if (startPartNumber < 1 || startPartNumber > MAX_PART_NUMBER) {
            throw B2Error.badRequest("startPartNumber must be 1.." + MAX_PART_NUMBER);
        }
        if (maxPartCount < 1 || maxPartCount > MAX_PART_COUNT) {
            throw B2Error.badRequest("maxPartCount must be 1.." + MAX_PART_COUNT);
        }
        List<Part> parts = store.parts(args.requiredString("fileId")).stream()
                .filter(part -> part.partNumber() >= startPartNumber)
                .limit(maxPartCount + 1L)
                .toList();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("parts", parts.stream().limit(maxPartCount).map(Part::toJson).toList());
        answer.put("nextPartNumber", parts.size() > maxPartCount ? parts.get(maxPartCount).partNumber() : null);
        return answer;
    }

    /** Clients that resume interrupted uploads (b2sdk, rclone) look for them here before starting one. */
    private Object listUnfinishedLargeFiles(JsonArgs args) {
        requireBucket(args);
        int maxFileCount = args.optionalInt("maxFileCount", DEFAULT_MAX_FILE_COUNT);
        if (maxFileCount < 1 || maxFileCount > MAX_UNFINISHED_COUNT) {
            throw B2Error.badRequest("maxFileCount must be 1.." + MAX_UNFINISHED_COUNT);
        }
        List<FileVersion> files = store.unfinishedLargeFiles(args.optionalString("namePrefix"),
                args.optionalString("startFileId"), maxFileCount);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("files", files.stream().limit(maxFileCount)
                .map(file -> file.toJson(store.accountId(), store.bucketId())).toList());
        answer.put("nextFileId", files.size() > maxFileCount ? files.get(maxFileCount).fileId() : null);
        return answer;
    }

    private Object cancelLargeFile(JsonArgs args) throws IOException {
        FileVersion cancelled = store.cancelLargeFile(args.requiredString("fileId"));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("fileId", cancelled.fileId());
        answer.put("accountId", store.accountId());
        answer.put("bucketId", store.bucketId());
        answer.put("fileName", cancelled.fileName());
        return answer;
    }

    private Object listFileNames(JsonArgs args) {
        requireBucket(args);
        return store.listNames(args.optionalString("startFileName"), maxFileCount(args),
                args.optionalString("prefix"), args.optionalString("delimiter")).toJson(store.accountId(), store.bucketId());
    }

    private Object listFileVersions(JsonArgs args) {
        requireBucket(args);
        return store.listVersions(args.optionalString("startFileName"), args.optionalString("startFileId"),
                maxFileCount(args), args.optionalString("prefix"), args.optionalString("delimiter"))
                .toJson(store.accountId(), store.bucketId());
    }

    private static int maxFileCount(JsonArgs args) {
        int maxFileCount = args.optionalInt("maxFileCount", DEFAULT_MAX_FILE_COUNT);
        if (maxFileCount == 0) {
            return DEFAULT_MAX_FILE_COUNT;
        }
        if (maxFileCount < 0 || maxFileCount > MAX_FILE_COUNT) {
            throw B2Error.badRequest("maxFileCount must be 1.." + MAX_FILE_COUNT);
        }
        return maxFileCount;
    }

    private Object deleteFileVersion(JsonArgs args) throws IOException {
        FileVersion deleted = store.deleteVersion(args.requiredString("fileName"), args.requiredString("fileId"));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("fileId", deleted.fileId());
        answer.put("fileName", deleted.fileName());
        return answer;
    }

    private Object hideFile(JsonArgs args) throws IOException {
        requireBucket(args);
        return store.hide(FileNames.requireValid(args.requiredString("fileName"))).toJson(store.accountId(), store.bucketId());
    }

    private Object getFileInfo(JsonArgs args) {
        String fileId = args.requiredString("fileId");
        return store.version(fileId)
                .orElseThrow(() -> B2Error.notFound("file not found: " + fileId))
                .toJson(store.accountId(), store.bucketId());
    }

    private Object listBuckets(JsonArgs args) {
        if (!config.keyId().equals(args.requiredString("accountId"))) {
            throw B2Error.badRequest("accountId does not match the authorized account");
        }
        String bucketId = args.optionalString("bucketId");
        String bucketName = args.optionalString("bucketName");
        boolean matches = (bucketId == null || bucketId.equals(config.bucketId()))
                && (bucketName == null || bucketName.equals(config.bucketName()));
        return Map.of("buckets", matches ? List.of(bucketJson()) : List.of());
    }

    private Map<String, Object> bucketJson() {
        Map<String, Object> fileLock = new LinkedHashMap<>();
        fileLock.put("isFileLockEnabled", false);
        Map<String, Object> noRetention = new LinkedHashMap<>();
        noRetention.put("mode", null);
        noRetention.put("period", null);
        fileLock.put("defaultRetention", noRetention);
        Map<String, Object> bucket = new LinkedHashMap<>();
        bucket.put("accountId", config.keyId());
        bucket.put("bucketId", config.bucketId());
        bucket.put("bucketName", config.bucketName());
        bucket.put("bucketType", "allPrivate");
        bucket.put("bucketInfo", Map.of());
        bucket.put("corsRules", List.of());
        bucket.put("lifecycleRules", List.of());
        bucket.put("options", List.of());
        bucket.put("fileLockConfiguration", Map.of("isClientAuthorizedToRead", true, "value", fileLock));
        bucket.put("defaultServerSideEncryption",
                Map.of("isClientAuthorizedToRead", true, "value", FileVersion.noEncryption()));
        bucket.put("revision", 1);
        return bucket;
    }

    private String requireBucket(JsonArgs args) {
        String bucketId = args.requiredString("bucketId");
        if (!bucketId.equals(config.bucketId())) {
            throw B2Error.badRequest("Invalid bucketId: " + bucketId);
        }
        return bucketId;
    }
}
