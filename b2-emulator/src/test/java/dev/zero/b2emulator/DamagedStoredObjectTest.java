package dev.zero.b2emulator;

import com.backblaze.b2.client.B2RetryPolicy;
import com.backblaze.b2.client.B2StorageClient;
import com.backblaze.b2.client.contentHandlers.B2ContentMemoryWriter;
import com.backblaze.b2.client.exceptions.B2Exception;
import com.backblaze.b2.client.structures.B2DownloadByNameRequest;
import com.backblaze.b2.client.structures.B2FileVersion;
import com.backblaze.b2.util.B2ByteRange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stored object whose bytes were changed behind the emulator's back (a disk that lost its tail,
 * a flipped bit) is answered with a 500 at once, as B2 answers a damaged object: never a short
 * body the client waits on until its socket times out, never wrong bytes.
 */
class DamagedStoredObjectTest {
    private static final int SIZE = 100_000;

    @TempDir
    Path dataDir;

    private B2Emulator emulator;
    private B2StorageClient client;

    @BeforeEach
    void start() throws IOException {
        emulator = B2Emulator.start(EmulatorConfig.of(dataDir, Sdk.KEY_ID, Sdk.KEY, Sdk.BUCKET_ID));
        client = Sdk.client(emulator, Sdk.KEY, NoRetries::new);
    }

    @AfterEach
    void stop() {
        client.close();
        emulator.close();
    }

    @Test
    void aTruncatedStoredObjectFailsItsDownloadAtOnce() throws Exception {
        B2FileVersion stored = Sdk.upload(client, "backups/truncated", Sdk.randomBytes(SIZE, 1));
        try (FileChannel file = FileChannel.open(contentOf(stored), StandardOpenOption.WRITE)) {
            file.truncate(SIZE / 2);
        }

        assertFailsAtOnceWithDamage(() -> Sdk.downloadByName(client, "backups/truncated"));
        assertFailsAtOnceWithDamage(() -> Sdk.downloadById(client, stored.getFileId()));
        assertFailsAtOnceWithDamage(() -> downloadRange("backups/truncated", 0, 999));
    }

    @Test
    void aStoredObjectWithAChangedByteFailsItsDownloadWholeOrRanged() throws Exception {
        byte[] content = Sdk.randomBytes(SIZE, 2);
        B2FileVersion flipped = Sdk.upload(client, "backups/flipped", content);
        Sdk.upload(client, "backups/intact", content);
        try (FileChannel file = FileChannel.open(contentOf(flipped), StandardOpenOption.WRITE)) {
            file.write(ByteBuffer.wrap(new byte[] {(byte) (content[SIZE / 2] ^ 0xff)}), SIZE / 2);
        }

        assertFailsAtOnceWithDamage(() -> downloadRange("backups/flipped", 0, 999));
        assertFailsAtOnceWithDamage(() -> Sdk.downloadByName(client, "backups/flipped"));
        assertArrayEquals(content, Sdk.downloadByName(client, "backups/intact"), "an intact object beside it");
        assertArrayEquals(Arrays.copyOfRange(content, 1000, 2000), downloadRange("backups/intact", 1000, 1999),
                "a range of the intact one");
    }

    private static void assertFailsAtOnceWithDamage(Executable download) {
        B2Exception failure = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(B2Exception.class, download),
                "the download of a damaged stored object must fail at once, not wait for the socket to time out");
        assertEquals(500, failure.getStatus(), "status of the answer; " + failure);
        assertTrue(failure.getMessage().contains("damaged"), "the message must say the stored bytes are damaged: " + failure);
    }

    private byte[] downloadRange(String fileName, long first, long last) throws B2Exception {
        B2ContentMemoryWriter sink = B2ContentMemoryWriter.build();
        client.downloadByName(B2DownloadByNameRequest.builder(Sdk.BUCKET_ID, fileName)
                .setRange(B2ByteRange.between(first, last)).build(), sink);
        return sink.getBytes();
    }

    private Path contentOf(B2FileVersion version) {
        return dataDir.resolve(Sdk.BUCKET_ID).resolve("files").resolve(version.getFileId() + ".data");
    }

    /** Every answer counts: a retry would only hide how the emulator answered. */
    private static final class NoRetries implements B2RetryPolicy {
        @Override
        public Integer gotRetryableAfterDelay(String operation, int attemptsSoFar, long tookMillis, B2Exception e) {
            return null;
        }

        @Override
        public boolean gotRetryableImmediately(String operation, int attemptsSoFar, long tookMillis, B2Exception e) {
            return false;
        }
    }
}
