package dev.zero.b2emulator;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What one emulator serves: where it listens, where it keeps objects, the single application
 * key it accepts, its single bucket, and the part sizes it announces at authorization.
 *
 * @param listen                  address to bind; port 0 picks a free port
 * @param dataDir                 directory that holds the bucket's objects across restarts
 * @param keyId                   application key id (also reported as the account id)
 * @param key                     application key
 * @param bucketId                id of the one bucket; also a directory name, so only letters, digits, '-' and '_'
 * @param bucketName              name of that bucket, used in download-by-name URLs
 * @param recommendedPartSize     announced {@code recommendedPartSize}; the SDK splits large files by it
 * @param absoluteMinimumPartSize announced {@code absoluteMinimumPartSize}; enforced on every part but the last
 * @param tokenLifetime           how long an account or upload-URL token works before it is refused as expired
 */
public record EmulatorConfig(InetSocketAddress listen,
                             Path dataDir,
                             String keyId,
                             String key,
                             String bucketId,
                             String bucketName,
                             long recommendedPartSize,
                             long absoluteMinimumPartSize,
                             Duration tokenLifetime) {

    /** What the real service announces. */
    public static final long DEFAULT_RECOMMENDED_PART_SIZE = 100_000_000L;
    public static final long DEFAULT_MINIMUM_PART_SIZE = 5_000_000L;
    public static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofHours(24);

    public EmulatorConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(bucketId, "bucketId");
        Objects.requireNonNull(bucketName, "bucketName");
        Objects.requireNonNull(tokenLifetime, "tokenLifetime");
        if (!bucketId.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("bucket id must be 1-64 letters, digits, '-' or '_': " + bucketId);
        }
        if (bucketName.isEmpty() || bucketName.contains("/")) {
            throw new IllegalArgumentException("bucket name must be non-empty and without '/': " + bucketName);
        }
        if (absoluteMinimumPartSize < 1 || recommendedPartSize < absoluteMinimumPartSize) {
            throw new IllegalArgumentException("need 1 <= absoluteMinimumPartSize <= recommendedPartSize");
        }
        if (tokenLifetime.isNegative() || tokenLifetime.isZero()) {
            throw new IllegalArgumentException("token lifetime must be positive: " + tokenLifetime);
        }
    }

    /** Loopback on a free port, bucket name equal to its id, the real service's part sizes and token lifetime. */
    public static EmulatorConfig of(Path dataDir, String keyId, String key, String bucketId) {
        return new EmulatorConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), dataDir, keyId, key,
                bucketId, bucketId, DEFAULT_RECOMMENDED_PART_SIZE, DEFAULT_MINIMUM_PART_SIZE, DEFAULT_TOKEN_LIFETIME);
    }

    public EmulatorConfig withListen(InetSocketAddress newListen) {
        return new EmulatorConfig(newListen, dataDir, keyId, key, bucketId, bucketName,
                recommendedPartSize, absoluteMinimumPartSize, tokenLifetime);
    }

    public EmulatorConfig withBucketName(String newBucketName) {
        return new EmulatorConfig(listen, dataDir, keyId, key, bucketId, newBucketName,
                recommendedPartSize, absoluteMinimumPartSize, tokenLifetime);
    }

    public EmulatorConfig withPartSizes(long newRecommendedPartSize, long newAbsoluteMinimumPartSize) {
        return new EmulatorConfig(listen, dataDir, keyId, key, bucketId, bucketName,
                newRecommendedPartSize, newAbsoluteMinimumPartSize, tokenLifetime);
    }

    public EmulatorConfig withTokenLifetime(Duration newTokenLifetime) {
        return new EmulatorConfig(listen, dataDir, keyId, key, bucketId, bucketName,
                recommendedPartSize, absoluteMinimumPartSize, newTokenLifetime);
    }
}
