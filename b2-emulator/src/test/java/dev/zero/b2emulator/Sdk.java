package dev.zero.b2emulator;

import com.backblaze.b2.client.B2ClientConfig;
import com.backblaze.b2.client.B2RetryPolicy;
import com.backblaze.b2.client.B2DefaultRetryPolicy;
import com.backblaze.b2.client.B2StorageClient;
import com.backblaze.b2.client.contentHandlers.B2ContentMemoryWriter;
import com.backblaze.b2.client.contentSources.B2ByteArrayContentSource;
import com.backblaze.b2.client.contentSources.B2ContentTypes;
import com.backblaze.b2.client.exceptions.B2Exception;
import com.backblaze.b2.client.structures.B2FileVersion;
import com.backblaze.b2.client.structures.B2UploadFileRequest;
import com.backblaze.b2.client.webApiHttpClient.B2StorageHttpClientBuilder;
import com.backblaze.b2.client.webApiHttpClient.HttpClientFactoryImpl;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/** The unmodified SDK pointed at an emulator, and the few steps every test repeats. */
final class Sdk {
    static final String KEY_ID = "test-key-id";
    static final String KEY = "test-key";
    static final String BUCKET_ID = "bucket-under-test";

    private Sdk() {
    }

    /** The SDK exactly as shipped, default retry policy included (it honours Retry-After). */
    static B2StorageClient client(B2Emulator emulator) {
        return client(emulator, KEY, B2DefaultRetryPolicy.supplier());
    }

    /** The SDK retrying like its default policy, but without the 1, 2, 4... second sleeps. */
    static B2StorageClient clientWithoutBackoff(B2Emulator emulator) {
        return client(emulator, KEY, RetryWithoutSleeping::new);
    }

    static B2StorageClient client(B2Emulator emulator, String key, Supplier<B2RetryPolicy> retryPolicy) {
        B2ClientConfig config = B2ClientConfig.builder(KEY_ID, key, "zero-b2-emulator-test")
                .setMasterUrl(emulator.url())
                .build();
        return B2StorageHttpClientBuilder.builder(config)
                .setHttpClientFactory(HttpClientFactoryImpl.builder().setSupportInsecureHttp(true).build())
                .setRetryPolicySupplier(retryPolicy)
                .build();
    }

    /** Small upload; without a SHA-1 in the source the SDK sends it as hex digits at the end of the body. */
    static B2FileVersion upload(B2StorageClient client, String fileName, byte[] content) throws B2Exception {
        return client.uploadSmallFile(B2UploadFileRequest
                .builder(BUCKET_ID, fileName, B2ContentTypes.APPLICATION_OCTET, B2ByteArrayContentSource.build(content))
                .build());
    }

    static byte[] downloadById(B2StorageClient client, String fileId) throws B2Exception {
        B2ContentMemoryWriter sink = B2ContentMemoryWriter.build();
        client.downloadById(fileId, sink);
        return sink.getBytes();
    }

    static byte[] downloadByName(B2StorageClient client, String fileName) throws B2Exception {
        B2ContentMemoryWriter sink = B2ContentMemoryWriter.build();
        client.downloadByName(BUCKET_ID, fileName, sink);
        return sink.getBytes();
    }

    static List<String> fileNames(B2StorageClient client) throws B2Exception {
        List<String> names = new ArrayList<>();
        client.fileNames(BUCKET_ID).forEach(version -> names.add(version.getFileName()));
        return names;
    }

    /** The id of the newest version of {@code fileName} with {@code action} ("upload", "hide"). */
    static String versionId(B2StorageClient client, String fileName, String action) throws B2Exception {
        for (B2FileVersion version : client.fileVersions(BUCKET_ID)) {
            if (version.getFileName().equals(fileName) && version.getAction().equals(action)) {
                return version.getFileId();
            }
        }
        throw new AssertionError("no " + action + " version of " + fileName);
    }

    static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String sha1(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Same attempt limit as the SDK's default policy; retries at once so fault tests don't sleep. */
    static final class RetryWithoutSleeping implements B2RetryPolicy {
        private static final int MAX_ATTEMPTS = 8;

        @Override
        public Integer gotRetryableAfterDelay(String operation, int attemptsSoFar, long tookMillis, B2Exception e) {
            return attemptsSoFar < MAX_ATTEMPTS ? 0 : null;
        }

        @Override
        public boolean gotRetryableImmediately(String operation, int attemptsSoFar, long tookMillis, B2Exception e) {
            return attemptsSoFar < MAX_ATTEMPTS;
        }
    }
}
