package dev.zero.b2emulator;

import com.backblaze.b2.client.B2StorageClient;
import com.backblaze.b2.client.structures.B2FileVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tokens end as B2's do: an expired one keeps failing with 401 {@code expired_auth_token}, so a
 * client gets through only by authorizing again or fetching a new upload URL.
 */
class TokenExpiryTest {
    private static final Duration SHORT_LIFETIME = Duration.ofMillis(700);

    @TempDir
    Path dataDir;

    private B2Emulator emulator;

    @AfterEach
    void stop() {
        emulator.close();
    }

    @Test
    void anInjectedExpiryEndsTheAccountTokenTheCallCarried() throws Exception {
        emulator = B2Emulator.start(EmulatorConfig.of(dataDir, Sdk.KEY_ID, Sdk.KEY, Sdk.BUCKET_ID));
        RawB2 raw = new RawB2(emulator);
        String token = raw.accountToken();
        String other = raw.accountToken();
        emulator.faults().add(Fault.expiredAuthToken().times(1).onPathsContaining("b2_list_file_names"));

        assertExpired(raw.call("b2_list_file_names", token, RawB2.listNamesJson()));
        assertExpired(raw.call("b2_list_file_names", token, RawB2.listNamesJson()));
        assertEquals(200, raw.call("b2_list_file_names", other, RawB2.listNamesJson()).statusCode(),
                "only the token the faulted call carried expires");
        assertEquals(200, raw.call("b2_list_file_names", raw.accountToken(), RawB2.listNamesJson()).statusCode());
    }

    @Test
    void anInjectedExpiryEndsTheUploadUrlTokenTheUploadCarried() throws Exception {
        emulator = B2Emulator.start(EmulatorConfig.of(dataDir, Sdk.KEY_ID, Sdk.KEY, Sdk.BUCKET_ID));
        RawB2 raw = new RawB2(emulator);
        String accountToken = raw.accountToken();
        Map<String, Object> target = RawB2.json(
                raw.call("b2_get_upload_url", accountToken, "{\"bucketId\":\"" + Sdk.BUCKET_ID + "\"}"));
        String uploadUrl = (String) target.get("uploadUrl");
        String uploadToken = (String) target.get("authorizationToken");
        byte[] content = Sdk.randomBytes(1000, 40);
        emulator.faults().add(Fault.expiredAuthToken().times(1).onPathsContaining("b2_upload_file"));

        assertExpired(raw.upload(uploadUrl, uploadToken, "first", content));
        assertExpired(raw.upload(uploadUrl, uploadToken, "first", content));
        assertEquals(200, raw.call("b2_list_file_names", accountToken, RawB2.listNamesJson()).statusCode(),
                "the account token the upload did not carry still works");
        Map<String, Object> fresh = RawB2.json(
                raw.call("b2_get_upload_url", accountToken, "{\"bucketId\":\"" + Sdk.BUCKET_ID + "\"}"));
        assertEquals(200, raw.upload((String) fresh.get("uploadUrl"), (String) fresh.get("authorizationToken"),
                "first", content).statusCode());
    }

    @Test
    void tokensExpireAfterTheConfiguredLifetime() throws Exception {
        emulator = B2Emulator.start(EmulatorConfig.of(dataDir, Sdk.KEY_ID, Sdk.KEY, Sdk.BUCKET_ID)
                .withTokenLifetime(SHORT_LIFETIME));
        RawB2 raw = new RawB2(emulator);
        String token = raw.accountToken();
        assertEquals(200, raw.call("b2_list_file_names", token, RawB2.listNamesJson()).statusCode());

        Thread.sleep(SHORT_LIFETIME.toMillis() + 100);

        assertExpired(raw.call("b2_list_file_names", token, RawB2.listNamesJson()));
    }

    @Test
    void theSdkGetsNewTokensWhenItsOldOnesExpire() throws Exception {
        emulator = B2Emulator.start(EmulatorConfig.of(dataDir, Sdk.KEY_ID, Sdk.KEY, Sdk.BUCKET_ID)
                .withTokenLifetime(SHORT_LIFETIME));
        try (B2StorageClient client = Sdk.clientWithoutBackoff(emulator)) {
            byte[] first = Sdk.randomBytes(5000, 41);
            byte[] second = Sdk.randomBytes(5000, 42);
            Sdk.upload(client, "first", first);

            Thread.sleep(SHORT_LIFETIME.toMillis() + 100);
            B2FileVersion later = Sdk.upload(client, "second", second);

            String calls = emulator.stats().snapshot().toString();
            assertEquals(2, emulator.stats().count("b2_authorize_account"), calls);
            assertTrue(emulator.stats().count("b2_get_upload_url") > 1, "a new upload URL: " + calls);
            assertArrayEquals(second, Sdk.downloadById(client, later.getFileId()));
            assertArrayEquals(first, Sdk.downloadByName(client, "first"));
            assertEquals(List.of("first", "second"), Sdk.fileNames(client));
        }
    }

    private static void assertExpired(HttpResponse<String> answer) {
        assertEquals(401, answer.statusCode(), answer.body());
        assertTrue(answer.body().contains("\"code\":\"expired_auth_token\""), answer.body());
    }
}
