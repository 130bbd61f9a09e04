package dev.zero.b2emulator;

import com.backblaze.b2.client.B2StorageClient;
import com.backblaze.b2.client.exceptions.B2Exception;
import com.backblaze.b2.client.exceptions.B2NetworkBaseException;
import com.backblaze.b2.client.exceptions.B2ServiceUnavailableException;
import com.backblaze.b2.client.structures.B2FileVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Injected faults look to the SDK like the real service misbehaving: it retries and gets through. */
class FaultInjectionTest {
    @TempDir
    Path dataDir;

    private B2Emulator emulator;
    private B2StorageClient client;

    @BeforeEach
    void start() throws IOException {
        emulator = B2Emulator.start(EmulatorConfig.of(dataDir, Sdk.KEY_ID, Sdk.KEY, Sdk.BUCKET_ID));
        client = Sdk.clientWithoutBackoff(emulator);
    }

    @AfterEach
    void stop() {
        client.close();
        emulator.close();
    }

    @Test
    void serviceUnavailableIsRetriedAsSoonAsRetryAfterSays() throws Exception {
        byte[] content = Sdk.randomBytes(10_000, 20);
        emulator.faults().add(Fault.serviceUnavailable(0).times(2).onPathsContaining("b2_upload_file"));
        long started = System.nanoTime();
        B2FileVersion uploaded;
        try (B2StorageClient stock = Sdk.client(emulator)) {
            uploaded = Sdk.upload(stock, "after-503", content);
        }
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        // The default policy would sleep 1 s, then 2 s, without the Retry-After: 0.
        assertTrue(tookMillis < 1000, "took " + tookMillis + " ms");
        assertEquals(3, emulator.stats().count("b2_upload_file"));
        assertArrayEquals(content, Sdk.downloadById(client, uploaded.getFileId()));
        assertEquals(List.of("after-503"), versionNames());
    }

    @Test
    void tooManyRequestsIsRetriedAsSoonAsRetryAfterSays() throws Exception {
        byte[] content = Sdk.randomBytes(10_000, 24);
        emulator.faults().add(Fault.tooManyRequests(0).times(2).onPathsContaining("b2_upload_file"));

        assertRetriedWithoutBackoff(content, "after-429");
    }

    @Test
    void requestTimeoutIsRetriedAsSoonAsRetryAfterSays() throws Exception {
        byte[] content = Sdk.randomBytes(10_000, 25);
        emulator.faults().add(Fault.requestTimeout(0).times(2).onPathsContaining("b2_upload_file"));

        assertRetriedWithoutBackoff(content, "after-408");
    }

    @Test
    void throttlingAnswersCarryTheirStatusCodeAndRetryAfter() throws Exception {
        RawB2 raw = new RawB2(emulator);
        String token = raw.accountToken();
        emulator.faults().add(Fault.tooManyRequests(7).times(1));
        emulator.faults().add(Fault.requestTimeout(3).times(1));

        HttpResponse<String> throttled = raw.call("b2_list_file_names", token, RawB2.listNamesJson());
        HttpResponse<String> timedOut = raw.call("b2_list_file_names", token, RawB2.listNamesJson());

        assertEquals(429, throttled.statusCode());
        assertEquals("too_many_requests", ((Map<?, ?>) Json.parse(throttled.body())).get("code"));
        assertEquals("7", throttled.headers().firstValue("Retry-After").orElse(null));
        assertEquals(408, timedOut.statusCode());
        assertEquals("request_timeout", ((Map<?, ?>) Json.parse(timedOut.body())).get("code"));
        assertEquals("3", timedOut.headers().firstValue("Retry-After").orElse(null));
        assertEquals(200, raw.call("b2_list_file_names", token, RawB2.listNamesJson()).statusCode());
    }

    @Test
    void cutDownloadSendsTheFullLengthThenHalfTheBodyThenCloses() throws Exception {
        byte[] content = Sdk.randomBytes(300_000, 26);
        Sdk.upload(client, "cut", content);
        emulator.faults().add(Fault.cutDownload().times(1));
        String token = new RawB2(emulator).accountToken();
        URI url = URI.create(emulator.url());

        byte[] answer;
        try (Socket socket = new Socket(url.getHost(), url.getPort())) {
            socket.setSoTimeout(5000); // a body left hanging instead of closed fails here, not in the build's timeout
            socket.getOutputStream().write(("GET /file/" + Sdk.BUCKET_ID + "/cut HTTP/1.1\r\nHost: emulator\r\n"
                    + "Authorization: " + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            answer = socket.getInputStream().readAllBytes();
        }
        String text = new String(answer, StandardCharsets.ISO_8859_1);
        int bodyStart = text.indexOf("\r\n\r\n") + 4;
        String head = text.substring(0, bodyStart).toLowerCase(Locale.ROOT);

        assertTrue(head.startsWith("http/1.1 200"), head);
        assertTrue(head.contains("content-length: " + content.length + "\r\n"), head);
        assertEquals(content.length / 2, answer.length - bodyStart, "body bytes before the connection closed");
        assertArrayEquals(Arrays.copyOf(content, content.length / 2), Arrays.copyOfRange(answer, bodyStart, answer.length));
        assertArrayEquals(content, Sdk.downloadByName(client, "cut"), "the fault was used up");
    }

    @Test
    void cutDownloadIsRetriedAndReadsBackWhole() throws Exception {
        byte[] content = Sdk.randomBytes(300_000, 27);
        B2FileVersion uploaded = Sdk.upload(client, "cut", content);
        emulator.faults().add(Fault.cutDownload().times(1).onPathsContaining("b2_download_file_by_id"));
        emulator.faults().add(Fault.cutDownload().times(1).onPathsContaining("/file/"));

        assertArrayEquals(content, Sdk.downloadById(client, uploaded.getFileId()));
        assertArrayEquals(content, Sdk.downloadByName(client, "cut"));
        assertEquals(2, emulator.stats().count("b2_download_file_by_id"));
        assertEquals(2, emulator.stats().count("b2_download_file_by_name"));
    }

    @Test
    void cutDownloadPassesOtherCallsBy() throws Exception {
        emulator.faults().add(Fault.cutDownload().times(1));

        Sdk.upload(client, "listed", new byte[] {1, 2, 3, 4});
        assertEquals(List.of("listed"), Sdk.fileNames(client));

        assertEquals(List.of(Fault.cutDownload().times(1)), emulator.faults().active());
    }

    @Test
    void internalErrorIsRetried() throws Exception {
        Sdk.upload(client, "listed", new byte[] {1});
        emulator.faults().add(Fault.internalError().times(2).onPathsContaining("b2_list_file_names"));

        assertEquals(List.of("listed"), Sdk.fileNames(client));
        assertEquals(3, emulator.stats().count("b2_list_file_names"));
    }

    @Test
    void expiredAccountTokenMakesTheSdkAuthorizeAgain() throws Exception {
        Sdk.upload(client, "listed", new byte[] {1});
        long authorizations = emulator.stats().count("b2_authorize_account");
        emulator.faults().add(Fault.expiredAuthToken().times(1).onPathsContaining("b2_list_file_names"));

        assertEquals(List.of("listed"), Sdk.fileNames(client));
        assertEquals(authorizations + 1, emulator.stats().count("b2_authorize_account"));
    }

    @Test
    void expiredUploadTokenMakesTheSdkFetchANewUploadUrl() throws Exception {
        byte[] content = Sdk.randomBytes(5000, 21);
        emulator.faults().add(Fault.expiredAuthToken().times(1).onPathsContaining("b2_upload_file"));

        B2FileVersion uploaded = Sdk.upload(client, "reuploaded", content);

        assertEquals(2, emulator.stats().count("b2_get_upload_url"));
        assertEquals(2, emulator.stats().count("b2_upload_file"));
        assertArrayEquals(content, Sdk.downloadById(client, uploaded.getFileId()));
    }

    @Test
    void droppedUploadConnectionIsRetriedAndStoresOneVersion() throws Exception {
        byte[] content = Sdk.randomBytes(200_000, 22);
        emulator.faults().add(Fault.dropConnection().times(1).onPathsContaining("b2_upload_file"));

        B2FileVersion uploaded = Sdk.upload(client, "dropped-once", content);

        assertEquals(2, emulator.stats().count("b2_upload_file"));
        assertEquals(List.of("dropped-once"), versionNames());
        assertArrayEquals(content, Sdk.downloadById(client, uploaded.getFileId()));
    }

    @Test
    void droppedDownloadConnectionIsRetried() throws Exception {
        byte[] content = Sdk.randomBytes(200_000, 23);
        B2FileVersion uploaded = Sdk.upload(client, "fetched", content);
        emulator.faults().add(Fault.dropConnection().times(1).onPathsContaining("b2_download_file_by_id"));

        assertArrayEquals(content, Sdk.downloadById(client, uploaded.getFileId()));
        assertEquals(2, emulator.stats().count("b2_download_file_by_id"));
    }

    @Test
    void slowCallIsAnsweredAfterTheDelay() throws Exception {
        Sdk.upload(client, "listed", new byte[] {1});
        emulator.faults().add(Fault.slow(300).times(1).onPathsContaining("b2_list_file_names"));
        long started = System.nanoTime();

        List<String> names = Sdk.fileNames(client);

        assertTrue((System.nanoTime() - started) / 1_000_000 >= 300);
        assertEquals(List.of("listed"), names);
    }

    @Test
    void outageFailsEveryCallUntilCleared() throws Exception {
        Sdk.upload(client, "listed", new byte[] {1});
        emulator.faults().add(Fault.outage());

        assertThrows(B2NetworkBaseException.class, () -> Sdk.upload(client, "during-outage", new byte[] {2}));
        assertThrows(B2NetworkBaseException.class, () -> Sdk.downloadByName(client, "listed"));

        emulator.faults().clear();
        assertArrayEquals(new byte[] {1}, Sdk.downloadByName(client, "listed"));
        assertEquals(List.of("listed"), Sdk.fileNames(client));
    }

    @Test
    void outageAnsweredWith503FailsAfterTheSdksLastAttempt() throws Exception {
        emulator.faults().add(Fault.serviceUnavailable(0));

        try (B2StorageClient stock = Sdk.client(emulator)) {
            B2ServiceUnavailableException failed = assertThrows(B2ServiceUnavailableException.class, stock::getAccountId);
            assertEquals(503, failed.getStatus());
        }
        assertEquals(8, emulator.stats().count("b2_authorize_account"));
    }

    @Test
    void faultsAndStatsWorkOverTheControlEndpoint() throws Exception {
        Sdk.upload(client, "listed", new byte[] {1});
        HttpResponse<String> added = control("POST", "/emulator/faults",
                "{\"kind\":\"internal_error\",\"count\":1,\"pathContains\":\"b2_list_file_names\"}");
        assertEquals(200, added.statusCode());
        assertEquals(List.of(Fault.internalError().times(1).onPathsContaining("b2_list_file_names")),
                emulator.faults().active());
        assertTrue(control("GET", "/emulator/faults", null).body().contains("\"kind\":\"internal_error\""));

        assertEquals(List.of("listed"), Sdk.fileNames(client));
        String stats = control("GET", "/emulator/stats", null).body();
        assertTrue(stats.contains("\"b2_list_file_names\":2"), stats);
        assertTrue(stats.contains("\"b2_upload_file\":1"), stats);

        control("POST", "/emulator/faults", "{\"kind\":\"drop_connection\"}");
        assertThrows(B2Exception.class, () -> Sdk.downloadByName(client, "listed"));
        assertEquals("{\"faults\":[]}", control("DELETE", "/emulator/faults", null).body());
        assertArrayEquals(new byte[] {1}, Sdk.downloadByName(client, "listed"));

        assertEquals(400, control("POST", "/emulator/faults", "{\"kind\":\"meteor_strike\"}").statusCode());
        control("DELETE", "/emulator/stats", null);
        assertEquals(0, emulator.stats().count("b2_upload_file"));
    }

    @Test
    void countedFaultAppliesToTheNextMatchingCallsOnly() {
        FaultPlan plan = new FaultPlan();
        plan.add(Fault.internalError().times(2).onPathsContaining("b2_upload"));

        assertTrue(plan.take("/b2api/v2/b2_list_file_names").isEmpty());
        assertTrue(plan.take("/b2api/v2/b2_upload_part/x").isPresent());
        assertEquals(List.of(Fault.internalError().times(1).onPathsContaining("b2_upload")), plan.active());
        assertTrue(plan.take("/b2api/v2/b2_upload_file/x").isPresent());
        assertTrue(plan.take("/b2api/v2/b2_upload_file/x").isEmpty());
    }

    /** The stock SDK, whose backoff would sleep 1 s and then 2 s if the emulator's Retry-After: 0 were ignored. */
    private void assertRetriedWithoutBackoff(byte[] content, String name) throws Exception {
        long started = System.nanoTime();
        B2FileVersion uploaded;
        try (B2StorageClient stock = Sdk.client(emulator)) {
            uploaded = Sdk.upload(stock, name, content);
        }
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        assertTrue(tookMillis < 1000, "took " + tookMillis + " ms");
        assertEquals(3, emulator.stats().count("b2_upload_file"));
        assertArrayEquals(content, Sdk.downloadById(client, uploaded.getFileId()));
        assertEquals(List.of(name), versionNames());
    }

    private List<String> versionNames() throws B2Exception {
        List<String> names = new ArrayList<>();
        client.fileVersions(Sdk.BUCKET_ID).forEach(version -> names.add(version.getFileName()));
        return names;
    }

    private HttpResponse<String> control(String method, String path, String json) throws Exception {
        HttpRequest.BodyPublisher body = json == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(emulator.url() + path))
                .method(method, body).build(), HttpResponse.BodyHandlers.ofString());
    }
}
