package dev.zero.b2emulator;

import com.backblaze.b2.client.B2StorageClient;
import com.backblaze.b2.client.contentHandlers.B2ContentMemoryWriter;
import com.backblaze.b2.client.contentSources.B2ByteArrayContentSource;
import com.backblaze.b2.client.contentSources.B2ContentTypes;
import com.backblaze.b2.client.exceptions.B2BadRequestException;
import com.backblaze.b2.client.exceptions.B2Exception;
import com.backblaze.b2.client.exceptions.B2NotFoundException;
import com.backblaze.b2.client.exceptions.B2UnauthorizedException;
import com.backblaze.b2.client.structures.B2Bucket;
import com.backblaze.b2.client.structures.B2DownloadByIdRequest;
import com.backblaze.b2.client.structures.B2DownloadByNameRequest;
import com.backblaze.b2.client.structures.B2FileVersion;
import com.backblaze.b2.client.structures.B2GetUploadPartUrlRequest;
import com.backblaze.b2.client.structures.B2GetUploadUrlRequest;
import com.backblaze.b2.client.structures.B2ListFileNamesRequest;
import com.backblaze.b2.client.structures.B2ListFileVersionsRequest;
import com.backblaze.b2.client.structures.B2Part;
import com.backblaze.b2.client.structures.B2StartLargeFileRequest;
import com.backblaze.b2.client.structures.B2UploadFileRequest;
import com.backblaze.b2.client.structures.B2UploadPartRequest;
import com.backblaze.b2.client.structures.B2UploadPartUrlResponse;
import com.backblaze.b2.client.structures.B2UploadUrlResponse;
import com.backblaze.b2.util.B2ByteRange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real SDK stores, finds and fetches objects in the emulator as it would in B2. */
class B2EmulatorSdkTest {
    /** Small enough that a 17 MB file is a three-part large file. */
    private static final long PART_SIZE = 5_000_000;

    @TempDir
    Path dataDir;

    private B2Emulator emulator;
    private B2StorageClient client;

    @BeforeEach
    void start() throws Exception {
        emulator = B2Emulator.start(config());
        client = Sdk.clientWithoutBackoff(emulator);
    }

    @AfterEach
    void stop() {
        client.close();
        emulator.close();
    }

    private EmulatorConfig config() {
        return EmulatorConfig.of(dataDir, Sdk.KEY_ID, Sdk.KEY, Sdk.BUCKET_ID).withPartSizes(PART_SIZE, PART_SIZE);
    }

    @Test
    void smallUploadWithTrailingSha1ComesBackIntact() throws Exception {
        byte[] content = Sdk.randomBytes(100_000, 1);
        String name = "dir one/ä+b ünï.bin";
        B2FileVersion uploaded = client.uploadSmallFile(B2UploadFileRequest
                .builder(Sdk.BUCKET_ID, name, B2ContentTypes.APPLICATION_OCTET, B2ByteArrayContentSource.build(content))
                .setCustomField("color", "blue sky / grün")
                .build());

        assertEquals(Sdk.sha1(content), uploaded.getContentSha1());
        assertEquals(content.length, uploaded.getContentLength());
        assertEquals(name, uploaded.getFileName());
        assertArrayEquals(content, Sdk.downloadById(client, uploaded.getFileId()));
        assertArrayEquals(content, Sdk.downloadByName(client, name));

        B2FileVersion byHead = client.getFileInfoByName(Sdk.BUCKET_ID, name);
        assertEquals(uploaded.getFileId(), byHead.getFileId());
        assertEquals(Sdk.sha1(content), byHead.getContentSha1());
        assertEquals(content.length, byHead.getContentLength());
        assertEquals("blue sky / grün", byHead.getFileInfo().get("color"));

        B2FileVersion byId = client.getFileInfo(uploaded.getFileId());
        assertEquals(name, byId.getFileName());
        assertEquals("blue sky / grün", byId.getFileInfo().get("color"));
        assertEquals(1, emulator.stats().count("b2_upload_file"));
    }

    @Test
    void autoContentTypeIsPickedFromTheName() throws Exception {
        B2FileVersion uploaded = client.uploadSmallFile(B2UploadFileRequest
                .builder(Sdk.BUCKET_ID, "notes.txt", B2ContentTypes.B2_AUTO,
                        B2ByteArrayContentSource.build("hello".getBytes(StandardCharsets.UTF_8)))
                .build());

        assertEquals("text/plain", uploaded.getContentType());
    }

    @Test
    void uploadWithWrongSha1IsRefusedAndNotStored() throws Exception {
        byte[] content = Sdk.randomBytes(1000, 2);
        B2UploadFileRequest request = B2UploadFileRequest
                .builder(Sdk.BUCKET_ID, "wrong", B2ContentTypes.APPLICATION_OCTET,
                        B2ByteArrayContentSource.builder(content).setSha1OrNull("0".repeat(40)).build())
                .build();

        B2BadRequestException refused = assertThrows(B2BadRequestException.class, () -> client.uploadSmallFile(request));
        assertEquals(400, refused.getStatus());
        assertEquals(List.of(), Sdk.fileNames(client));
    }

    @Test
    void wrongTrailingSha1IsRefused() throws Exception {
        B2UploadUrlResponse target = client.getUploadUrl(B2GetUploadUrlRequest.builder(Sdk.BUCKET_ID).build());
        byte[] content = "some content".getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[content.length + 40];
        System.arraycopy(content, 0, body, 0, content.length);
        Arrays.fill(body, content.length, body.length, (byte) 'a');

        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(target.getUploadUrl()))
                .header("Authorization", target.getAuthorizationToken())
                .header("X-Bz-File-Name", "raw")
                .header("Content-Type", "text/plain")
                .header("X-Bz-Content-Sha1", "hex_digits_at_end")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(400, answer.statusCode());
        assertTrue(answer.body().contains("\"code\":\"bad_request\""), answer.body());
        assertEquals(List.of(), Sdk.fileNames(client));
    }

    @Test
    void rangedDownloadsReturnExactlyTheRequestedBytes() throws Exception {
        byte[] content = Sdk.randomBytes(1 << 20, 3);
        B2FileVersion uploaded = Sdk.upload(client, "ranged", content);

        B2ContentMemoryWriter middle = B2ContentMemoryWriter.build();
        client.downloadById(B2DownloadByIdRequest.builder(uploaded.getFileId())
                .setRange(B2ByteRange.between(1000, 1999)).build(), middle);
        assertArrayEquals(Arrays.copyOfRange(content, 1000, 2000), middle.getBytes());
        assertEquals("bytes 1000-1999/" + content.length, middle.getHeadersOrNull().getValueOrNull("Content-Range"));

        B2ContentMemoryWriter tail = B2ContentMemoryWriter.build();
        client.downloadByName(B2DownloadByNameRequest.builder(Sdk.BUCKET_ID, "ranged")
                .setRange(B2ByteRange.startAt(content.length - 10)).build(), tail);
        assertArrayEquals(Arrays.copyOfRange(content, content.length - 10, content.length), tail.getBytes());
    }

    @Test
    void largeFilePartsUploadInParallel() throws Exception {
        byte[] content = Sdk.randomBytes(17_000_000, 4);
        // Each part is held a second: three in sequence would take three.
        emulator.faults().add(Fault.slow(1000).onPathsContaining("b2_upload_part"));
        ExecutorService executor = Executors.newFixedThreadPool(3);
        long started = System.nanoTime();
        B2FileVersion uploaded;
        try {
            uploaded = client.uploadLargeFile(B2UploadFileRequest
                    .builder(Sdk.BUCKET_ID, "large.bin", B2ContentTypes.APPLICATION_OCTET,
                            B2ByteArrayContentSource.build(content))
                    .build(), executor);
        } finally {
            executor.shutdown();
        }
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        assertTrue(tookMillis < 2500, "parts took " + tookMillis + " ms, as if one after another");
        assertEquals(content.length, uploaded.getContentLength());
        assertEquals(3, emulator.stats().count("b2_upload_part"));
        assertEquals(1, emulator.stats().count("b2_finish_large_file"));
        assertEquals(Sdk.sha1(content), Sdk.sha1(Sdk.downloadByName(client, "large.bin")));
    }

    @Test
    void unfinishedLargeFileListsItsPartsAndCanBeCancelled() throws Exception {
        B2FileVersion started = client.startLargeFile(B2StartLargeFileRequest
                .builder(Sdk.BUCKET_ID, "unfinished", B2ContentTypes.APPLICATION_OCTET).build());
        B2UploadPartUrlResponse partUrl = client.getUploadPartUrl(
                B2GetUploadPartUrlRequest.builder(started.getFileId()).build());
        byte[] part = Sdk.randomBytes(1000, 5);
        client.getWebifier().uploadPart(partUrl,
                B2UploadPartRequest.builder(1, B2ByteArrayContentSource.build(part)).build());

        List<B2Part> parts = new ArrayList<>();
        client.parts(started.getFileId()).forEach(parts::add);
        assertEquals(1, parts.size());
        assertEquals(1, parts.get(0).getPartNumber());
        assertEquals(Sdk.sha1(part), parts.get(0).getContentSha1());

        client.cancelLargeFile(started.getFileId());
        assertThrows(B2NotFoundException.class, () -> client.getFileInfo(started.getFileId()));
        assertEquals(List.of(), Sdk.fileNames(client));
    }

    @Test
    void listingPagesThroughEveryNameInOrder() throws Exception {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            expected.add(String.format("f%02d", i));
        }
        expected.add(0, "dir/a");
        expected.add(1, "dir/b");
        for (String name : expected) {
            Sdk.upload(client, name, name.getBytes(StandardCharsets.UTF_8));
        }

        List<String> listed = new ArrayList<>();
        client.fileNames(B2ListFileNamesRequest.builder(Sdk.BUCKET_ID).setMaxFileCount(10).build())
                .forEach(version -> listed.add(version.getFileName()));
        assertEquals(expected, listed);
        assertEquals(3, emulator.stats().count("b2_list_file_names"));

        List<String> topLevel = new ArrayList<>();
        client.fileNames(B2ListFileNamesRequest.builder(Sdk.BUCKET_ID).setDelimiter("/").setMaxFileCount(10).build())
                .forEach(version -> topLevel.add(version.getFileName()));
        assertEquals(expected.subList(1, expected.size()).stream().map(n -> n.startsWith("dir/") ? "dir/" : n).toList(),
                topLevel);

        List<String> inDir = new ArrayList<>();
        client.fileNames(B2ListFileNamesRequest.builder(Sdk.BUCKET_ID).setPrefix("dir/").setDelimiter("/").build())
                .forEach(version -> inDir.add(version.getFileName()));
        assertEquals(List.of("dir/a", "dir/b"), inDir);
    }

    @Test
    void deletingTheNewestVersionBringsBackTheOlderOne() throws Exception {
        byte[] first = Sdk.randomBytes(100, 6);
        byte[] second = Sdk.randomBytes(100, 7);
        B2FileVersion older = Sdk.upload(client, "doc", first);
        B2FileVersion newer = Sdk.upload(client, "doc", second);
        assertArrayEquals(second, Sdk.downloadByName(client, "doc"));

        client.deleteFileVersion(newer);
        assertArrayEquals(first, Sdk.downloadByName(client, "doc"));

        client.deleteFileVersion(older);
        assertThrows(B2NotFoundException.class, () -> Sdk.downloadByName(client, "doc"));
        assertThrows(B2NotFoundException.class, () -> Sdk.downloadById(client, older.getFileId()));
        assertEquals(List.of(), Sdk.fileNames(client));
    }

    @Test
    void hiddenNameIsNotListedButItsVersionsRemain() throws Exception {
        byte[] content = Sdk.randomBytes(100, 8);
        B2FileVersion uploaded = Sdk.upload(client, "secret", content);
        Sdk.upload(client, "visible", content);

        B2FileVersion marker = client.hideFile(Sdk.BUCKET_ID, "secret");

        assertEquals("hide", marker.getAction());
        assertEquals(List.of("visible"), Sdk.fileNames(client));
        assertThrows(B2NotFoundException.class, () -> Sdk.downloadByName(client, "secret"));
        List<String> versions = new ArrayList<>();
        // One per page, so a page also ends between two versions of one name.
        client.fileVersions(B2ListFileVersionsRequest.builder(Sdk.BUCKET_ID).setMaxFileCount(1).build())
                .forEach(v -> versions.add(v.getFileName() + ":" + v.getAction()));
        assertEquals(List.of("secret:hide", "secret:upload", "visible:upload"), versions);
        assertEquals(3, emulator.stats().count("b2_list_file_versions"));
        assertArrayEquals(content, Sdk.downloadById(client, uploaded.getFileId()));
    }

    @Test
    void objectsSurviveARestartOnTheSameDataDirectory() throws Exception {
        byte[] small = Sdk.randomBytes(5000, 9);
        byte[] large = Sdk.randomBytes(11_000_000, 10);
        B2FileVersion smallVersion = Sdk.upload(client, "kept/small", small);
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try {
            client.uploadLargeFile(B2UploadFileRequest.builder(Sdk.BUCKET_ID, "kept/large",
                    B2ContentTypes.APPLICATION_OCTET, B2ByteArrayContentSource.build(large)).build(), executor);
        } finally {
            executor.shutdown();
        }
        Sdk.upload(client, "gone", small);
        client.hideFile(Sdk.BUCKET_ID, "gone");

        client.close();
        emulator.close();
        emulator = B2Emulator.start(config());
        client = Sdk.clientWithoutBackoff(emulator);

        assertEquals(List.of("kept/large", "kept/small"), Sdk.fileNames(client));
        assertArrayEquals(small, Sdk.downloadById(client, smallVersion.getFileId()));
        assertEquals(Sdk.sha1(large), Sdk.sha1(Sdk.downloadByName(client, "kept/large")));
        // Versions uploaded after the restart still sort after the ones before it.
        byte[] newer = Sdk.randomBytes(10, 11);
        Sdk.upload(client, "kept/small", newer);
        assertArrayEquals(newer, Sdk.downloadByName(client, "kept/small"));
    }

    @Test
    void wrongKeyIsRefusedAtAuthorizationWithoutRetries() {
        try (B2StorageClient wrong = Sdk.client(emulator, "not-the-key", Sdk.RetryWithoutSleeping::new)) {
            B2UnauthorizedException refused = assertThrows(B2UnauthorizedException.class, wrong::getAccountId);
            assertEquals(401, refused.getStatus());
        }
        assertEquals(1, emulator.stats().count("b2_authorize_account"));
    }

    @Test
    void theBucketIsFoundByName() throws B2Exception {
        B2Bucket bucket = client.getBucketOrNullByName(Sdk.BUCKET_ID);

        assertNotNull(bucket);
        assertEquals(Sdk.BUCKET_ID, bucket.getBucketId());
        assertEquals("allPrivate", bucket.getBucketType());
    }

    @Test
    void portZeroIsReplacedByTheRealPortInTheUrl() {
        assertTrue(URI.create(emulator.url()).getPort() > 0, emulator.url());
    }
}
