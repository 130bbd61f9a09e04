package dev.zero.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zero.b2emulator.B2Emulator;
import dev.zero.b2emulator.EmulatorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One Zero filesystem with tiering, as a user sets it up: a work directory holding the mountpoint,
 * the cache directory and its config.yml, and a remote, which is either the B2 emulator running in
 * this JVM (so that tests can inject faults and count calls), an emulator in another process, or
 * a local directory. The mountpoint is named after the test, so its log in {@code zero.log.dir} is
 * too. {@link #close} clears the emulator's faults, unmounts (checking the exit code), stops the
 * emulator and deletes the work directory.
 */
final class TieringRig implements AutoCloseable {
    static final String KEY_ID = "zero-test-key-id";
    static final String KEY = "zero-test-application-key";
    static final String BUCKET = "zero-test-bucket";

    /** The two kinds of remote a test can run against with the same expectations. */
    enum RemoteKind { B2_EMULATOR, LOCAL_DIRECTORY }

    /** The one line zero-cli status prints for each content state, e.g. {@code dirty:    3 files, 3.0 MiB ...}. */
    private static final String FILES_LINE = "^%s:\\s+(\\d+) files";
    private static final Pattern FILE_NAME = Pattern.compile("\"fileName\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern UPLOAD_ACTION = Pattern.compile("\"action\"\\s*:\\s*\"upload\"");

    private final Path work;
    private final Path mountpoint;
    private final Path cache;
    private final Path config;
    private String moreSettings = "";
    private final String remoteSettings;
    private final Path b2DataDir;
    private final B2Emulator emulator;
    private final double targetGb;
    private int uploadDelaySeconds;
    private ZeroMount mount;

    private TieringRig(String name, Path work, String remoteSettings, Path b2DataDir, B2Emulator emulator, double targetGb) {
        this.work = work;
        this.mountpoint = work.resolve(name);
        this.cache = work.resolve("cache");
        this.config = work.resolve("config.yml");
        this.remoteSettings = remoteSettings;
        this.b2DataDir = b2DataDir;
        this.emulator = emulator;
        this.targetGb = targetGb;
        writeConfig();
    }

    static TieringRig with(RemoteKind remote, String name, double targetGb) throws IOException {
        return remote == RemoteKind.B2_EMULATOR ? withEmulator(name, targetGb) : withLocalDirectory(name, targetGb);
    }

    /** B2 through an emulator started in this JVM; {@link #emulator()} injects faults and counts calls. */
    static TieringRig withEmulator(String name, double targetGb) throws IOException {
        Path work = Files.createTempDirectory("zero-tiering-");
        B2Emulator emulator;
        try {
            emulator = B2Emulator.start(EmulatorConfig.of(work.resolve("b2-data"), KEY_ID, KEY, BUCKET));
        } catch (IOException | RuntimeException e) {
            Trees.deleteRecursively(work);
            throw e;
        }
        return new TieringRig(name, work, b2Settings(emulator.url()), emulator.config().dataDir(), emulator, targetGb);
    }

    /**
     * B2 at {@code url}: an emulator in another process that accepts {@link #KEY_ID} and {@link
     * #KEY}, serves {@link #BUCKET} and keeps its objects in {@code dataDir}.
     */
    static TieringRig withEmulatorAt(String name, String url, Path dataDir, double targetGb) throws IOException {
        return new TieringRig(name, Files.createTempDirectory("zero-tiering-"), b2Settings(url), dataDir, null, targetGb);
    }

    /** No B2 keys: the remote is the directory {@code remote} in the cache directory, Zero's default. */
    static TieringRig withLocalDirectory(String name, double targetGb) throws IOException {
        return new TieringRig(name, Files.createTempDirectory("zero-tiering-"), "", null, null, targetGb);
    }

    private static String b2Settings(String url) {
        return "accountId: " + KEY_ID + "\napplicationKey: " + KEY + "\nbucketId: " + BUCKET + "\nb2Url: " + url + "\n";
    }

    /** More config.yml lines ("key: value\n" each); a running mount keeps the settings it started with. */
    void setMoreSettings(String yaml) {
        moreSettings = yaml;
        writeConfig();
    }

    /** Rewrites config.yml; a running mount keeps the settings it started with. */
    void setUploadDelaySeconds(int seconds) {
        uploadDelaySeconds = seconds;
        writeConfig();
    }

    private void writeConfig() {
        String yaml = remoteSettings
                + "targetDiskUsage: " + BigDecimal.valueOf(targetGb).toPlainString() + "\n"
                + "uploadDelaySeconds: " + uploadDelaySeconds + "\n" + moreSettings;
        try {
            Files.writeString(config, yaml);
            // It holds a B2 key: owner-only, as the README tells users (Zero warns otherwise).
            Files.setPosixFilePermissions(config, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    B2Emulator emulator() {
        if (emulator == null) {
            throw new IllegalStateException("this rig's remote is not an emulator in this JVM");
        }
        return emulator;
    }

    Path config() {
        return config;
    }

    Path cache() {
        return cache;
    }

    long targetBytes() {
        return (long) (targetGb * 1e9);
    }

    /** Mounts Zero on the cache directory and returns the mountpoint. */
    Path mount() throws IOException {
        mount = ZeroMount.start(mountpoint, cache, config);
        return mountpoint;
    }

    /** The running mount's process id. */
    long mountPid() {
        return mount.pid();
    }

    void unmount() {
        mount.unmount();
        mount.close();
    }

    /** SIGKILL to the mount process, and the dead mount cleared. */
    void kill9() {
        mount.kill9();
        mount.close();
    }

    Shell.Result tierOnce() {
        return ZeroMount.cli("tier", "--once", "--config", config.toString(), cache.toString());
    }

    Shell.Result status() {
        return ZeroMount.cli("status", "--config", config.toString(), cache.toString());
    }

    /** Runs {@code zero-cli tier --once}, asserts that it exits 0, and returns its output. */
    String assertTierOnceSucceeds() {
        Shell.Result result = tierOnce();
        assertEquals(0, result.exitCode(), "zero-cli tier --once must exit 0 when every file could be moved; "
                + describe(result));
        return result.output();
    }

    /** Runs {@code zero-cli status}, asserts that it exits 0, and returns its output. */
    String assertStatus() {
        Shell.Result result = status();
        assertEquals(0, result.exitCode(), "zero-cli status must exit 0; " + describe(result));
        return result.output();
    }

    /** A command's exit code and output, and the tail of the mount's log, for failure messages. */
    String describe(Shell.Result result) {
        return "it exited " + result.exitCode() + " and printed:\n" + result.output()
                + (mount == null ? "" : "\nmount log:\n" + mount.logTail());
    }

    /** The number of files on the line {@code label} of zero-cli status's output. */
    static int filesOnStatusLine(String status, String label) {
        Matcher m = Pattern.compile(String.format(FILES_LINE, Pattern.quote(label)), Pattern.MULTILINE).matcher(status);
        if (!m.find()) {
            throw new AssertionError("zero-cli status printed no '" + label + ": N files' line:\n" + status);
        }
        return Integer.parseInt(m.group(1));
    }

    /** Disk space the local content takes: the allocated bytes of the files under the cache's content directory. */
    long localContentBytes() {
        try (Stream<Path> paths = Files.walk(cache.resolve("content"))) {
            return paths.map(Sys::lstat).filter(Stat::isRegularFile).mapToLong(st -> st.blocks() * 512).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes {@code count} files of {@code size} random bytes through the mount, named {@code
     * prefix-00}, {@code prefix-01}, ..., and returns their content by path, in the order written.
     */
    Map<Path, byte[]> writeFiles(String prefix, int count, int size) {
        Map<Path, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            Path file = mountpoint.resolve(String.format("%s-%02d", prefix, i));
            byte[] content = Data.random(file.getFileName().toString().hashCode(), size);
            Sys.writeFile(file, content);
            files.put(file, content);
        }
        return files;
    }

    static void assertReadBackByteExact(Map<Path, byte[]> files) {
        files.forEach((file, content) -> assertArrayEquals(content, Sys.readFile(file),
                "content of " + file.getFileName() + " read back through the mount"));
    }

    /**
     * The SHA-256 of every object the remote holds for the file's inode (keys {@code
     * zero/inode/<st_ino>/...}), sorted.
     */
    List<String> remoteObjectHashes(Path file) {
        String prefix = "zero/inode/" + Sys.stat(file).ino() + "/";
        try {
            List<byte[]> objects = b2DataDir == null ? localDirectoryObjects(prefix) : bucketObjects(prefix);
            return objects.stream().map(Trees::sha256).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<byte[]> localDirectoryObjects(String prefix) throws IOException {
        List<byte[]> objects = new ArrayList<>();
        try (Stream<Path> keys = Files.list(cache.resolve("remote").resolve(prefix))) {
            for (Path key : keys.toList()) {
                objects.add(Files.readAllBytes(key));
            }
        } catch (NoSuchFileException e) {
            // No object for this inode.
        }
        return objects;
    }

    /** Reads the emulator's data directory: files/ID.json names a stored version, files/ID.data is its content. */
    private List<byte[]> bucketObjects(String prefix) throws IOException {
        Path files = b2DataDir.resolve(BUCKET).resolve("files");
        List<byte[]> objects = new ArrayList<>();
        try (Stream<Path> entries = Files.list(files)) {
            for (Path sidecar : entries.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) {
                String json = Files.readString(sidecar, StandardCharsets.UTF_8);
                Matcher name = FILE_NAME.matcher(json);
                if (UPLOAD_ACTION.matcher(json).find() && name.find() && name.group(1).startsWith(prefix)) {
                    String id = sidecar.getFileName().toString().replaceFirst("\\.json$", "");
                    objects.add(Files.readAllBytes(files.resolve(id + ".data")));
                }
            }
        } catch (NoSuchFileException e) {
            // Nothing uploaded yet.
        }
        return objects;
    }

    /** Download calls the emulator has received, by name and by id. */
    long downloads() {
        return emulator().stats().count("b2_download_file_by_name") + emulator().stats().count("b2_download_file_by_id");
    }

    /** Never throws but for a failed clean unmount, and always leaves nothing behind. */
    @Override
    public void close() {
        try {
            if (emulator != null) {
                emulator.faults().clear();
            }
            if (mount != null && ZeroMount.isMounted(mountpoint)) {
                mount.unmount();
            }
        } finally {
            if (mount != null) {
                mount.close();
            }
            if (emulator != null) {
                emulator.close();
            }
            if (!ZeroMount.isMounted(mountpoint)) {
                Trees.deleteRecursively(work);
            }
        }
    }
}
