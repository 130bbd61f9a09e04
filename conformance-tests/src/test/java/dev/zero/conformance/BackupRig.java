package dev.zero.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zero.b2emulator.B2Emulator;
import dev.zero.b2emulator.EmulatorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One Zero filesystem whose remote outlives its cache directory, for backup, restore and gc
 * tests: a work directory holding the mountpoint, config.yml, the cache directory (which a test
 * may delete and replace with a restored one) and, for a local-directory remote, the remote
 * directory beside the cache, never inside it. With the B2 emulator, the emulator runs in this
 * JVM and keeps its bucket in the work directory too. {@link #close} unmounts, stops the emulator
 * and deletes the work directory, whatever state the test left.
 */
final class BackupRig implements AutoCloseable {
    /** What config.yml says besides the remote. */
    record Settings(double targetGb, int uploadDelaySeconds, int backupIntervalSeconds) {}

    /** Where metadata backups live in the remote; content objects are under {@link #CONTENT_PREFIX}. */
    static final String BACKUP_PREFIX = "zero/backups/";
    static final String CONTENT_PREFIX = "zero/inode/";
    private static final Pattern BACKED_UP = Pattern.compile("zero: metadata backed up to (zero/backups/\\S+\\.zdump)");
    private static final Pattern BACKUP_OUTPUT = Pattern.compile("^backup: (zero/backups/\\S+\\.zdump)$", Pattern.MULTILINE);
    private static final Pattern FILE_NAME = Pattern.compile("\"fileName\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern UPLOAD_ACTION = Pattern.compile("\"action\"\\s*:\\s*\"upload\"");

    private final TieringRig.RemoteKind kind;
    private final Path work;
    private final Path mountpoint;
    private final Path config;
    private final Settings settings;
    /** The local-directory remote, or null. */
    private final Path remoteDir;
    /** The emulator's data directory, or null. */
    private final Path b2DataDir;
    private final B2Emulator emulator;
    private Path cache;
    private ZeroMount mount;
    private String lastMountLog = "";

    private BackupRig(TieringRig.RemoteKind kind, String name, Path work, Settings settings, Path remoteDir,
                      Path b2DataDir, B2Emulator emulator) {
        this.kind = kind;
        this.work = work;
        this.mountpoint = work.resolve(name);
        this.config = work.resolve("config.yml");
        this.settings = settings;
        this.remoteDir = remoteDir;
        this.b2DataDir = b2DataDir;
        this.emulator = emulator;
        this.cache = work.resolve("cache");
        String remote = emulator != null
                ? "accountId: " + TieringRig.KEY_ID + "\napplicationKey: " + TieringRig.KEY + "\nbucketId: "
                        + TieringRig.BUCKET + "\nb2Url: " + emulator.url() + "\n"
                : "remoteDirectory: " + remoteDir + "\n";
        String yaml = remote
                + "targetDiskUsage: " + BigDecimal.valueOf(settings.targetGb()).toPlainString() + "\n"
                + "uploadDelaySeconds: " + settings.uploadDelaySeconds() + "\n"
                + "backupIntervalSeconds: " + settings.backupIntervalSeconds() + "\n";
        try {
            Files.writeString(config, yaml);
            // It holds a B2 key: owner-only, as the README tells users (Zero warns otherwise).
            Files.setPosixFilePermissions(config, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new filesystem (nothing mounted yet) with an empty remote of the given kind. */
    static BackupRig create(TieringRig.RemoteKind kind, String name, Settings settings) throws IOException {
        Path work = Files.createTempDirectory("zero-durability-");
        return onRemote(kind, name, work, settings, work.resolve("remote"), work.resolve("b2-data"));
    }

    private static BackupRig onRemote(TieringRig.RemoteKind kind, String name, Path work, Settings settings,
                                      Path remoteDir, Path b2DataDir) throws IOException {
        if (kind == TieringRig.RemoteKind.LOCAL_DIRECTORY) {
            Files.createDirectories(remoteDir);
            return new BackupRig(kind, name, work, settings, remoteDir, null, null);
        }
        B2Emulator emulator;
        try {
            emulator = B2Emulator.start(EmulatorConfig.of(b2DataDir, TieringRig.KEY_ID, TieringRig.KEY, TieringRig.BUCKET));
        } catch (IOException | RuntimeException e) {
            Trees.deleteRecursively(work);
            throw e;
        }
        return new BackupRig(kind, name, work, settings, null, b2DataDir, emulator);
    }

    /**
     * A second filesystem whose remote is a copy of this one's, minus the metadata backups taken
     * after {@code newestBackup}: restoring it restores {@code newestBackup}, as if the newer
     * backups had never been made. Nothing else is copied; it has no cache directory yet.
     */
    BackupRig copyWithNewestBackup(String newestBackup, String name) throws IOException {
        Path copyWork = Files.createTempDirectory("zero-durability-copy-");
        try {
            Path copyRemote = copyWork.resolve("remote");
            Path copyData = copyWork.resolve("b2-data");
            if (kind == TieringRig.RemoteKind.LOCAL_DIRECTORY) {
                copyTree(remoteDir, copyRemote);
                for (String key : remoteKeys(BACKUP_PREFIX)) {
                    if (key.compareTo(newestBackup) > 0) {
                        Files.delete(copyRemote.resolve(key));
                    }
                }
            } else {
                copyTree(b2DataDir, copyData);
                Path files = copyData.resolve(TieringRig.BUCKET).resolve("files");
                for (Path sidecar : sidecars(files)) {
                    String json = Files.readString(sidecar, StandardCharsets.UTF_8);
                    Matcher fileName = FILE_NAME.matcher(json);
                    if (fileName.find() && fileName.group(1).startsWith(BACKUP_PREFIX)
                            && fileName.group(1).compareTo(newestBackup) > 0) {
                        String id = sidecar.getFileName().toString().replaceFirst("\\.json$", "");
                        Files.delete(sidecar);
                        Files.deleteIfExists(files.resolve(id + ".data"));
                    }
                }
            }
            return onRemote(kind, name, copyWork, settings, copyRemote, copyData);
        } catch (IOException | RuntimeException e) {
            Trees.deleteRecursively(copyWork);
            throw e;
        }
    }

    Path cache() {
        return cache;
    }

    Path work() {
        return work;
    }

    /** Mounts the current cache directory. */
    Path mount() throws IOException {
        if (mount != null) {
            throw new IllegalStateException("already mounted");
        }
        mount = ZeroMount.start(mountpoint, cache, config);
        return mountpoint;
    }

    /** Clean unmount (checks exit code 0); the mount's log stays readable with {@link #lastBackupInMountLog}. */
    void unmount() {
        try {
            mount.unmount();
        } finally {
            lastMountLog = mount.logTail();
            mount.close();
            mount = null;
        }
    }

    /** SIGKILL to the mount process, as a machine that dies: no backup at unmount. */
    void kill9() {
        try {
            mount.kill9();
        } finally {
            lastMountLog = mount.logTail();
            mount.close();
            mount = null;
        }
    }

    /** The key of the last "zero: metadata backed up to ..." line of the last mount's log, or null. */
    String lastBackupInMountLog() {
        Matcher m = BACKED_UP.matcher(lastMountLog);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        return last;
    }

    String lastMountLog() {
        return lastMountLog;
    }

    /** From now on the rig mounts (and runs commands on) {@code newCache}. */
    void useCache(Path newCache) {
        if (mount != null) {
            throw new IllegalStateException("unmount first");
        }
        cache = newCache;
    }

    /** {@code zero-cli <command> [options] --config config.yml <cache>}. */
    Shell.Result cli(String command, String... options) {
        return cliOn(command, cache, options);
    }

    Shell.Result cliOn(String command, Path dir, String... options) {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(List.of(options));
        args.addAll(List.of("--config", config.toString(), dir.toString()));
        return ZeroMount.cli(args.toArray(String[]::new));
    }

    /** Runs the command, asserts exit 0, returns its output. */
    String assertCli(String command, String... options) {
        Shell.Result result = cli(command, options);
        assertEquals(0, result.exitCode(), "zero-cli " + command + " " + String.join(" ", options) + " must exit 0; "
                + describe(result));
        return result.output();
    }

    /** True if this JVM runs as uid 0. */
    static boolean isRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Runs {@code zero-cli backup} and returns the key of the backup it made; fails if it made none. */
    String backUp() {
        String output = assertCli("backup");
        Matcher m = BACKUP_OUTPUT.matcher(output);
        if (!m.find()) {
            throw new AssertionError("zero-cli backup after changes must print 'backup: zero/backups/<time>.zdump'; it printed:\n" + output);
        }
        return m.group(1);
    }

    String describe(Shell.Result result) {
        return "it exited " + result.exitCode() + " and printed:\n" + result.output()
                + (mount == null ? "" : "\nmount log:\n" + mount.logTail());
    }

    /** Every key in the remote that starts with {@code prefix}, sorted. */
    SortedSet<String> remoteKeys(String prefix) {
        SortedSet<String> keys = new TreeSet<>();
        try {
            if (remoteDir != null) {
                if (!Files.isDirectory(remoteDir)) {
                    return keys;
                }
                try (Stream<Path> paths = Files.walk(remoteDir)) {
                    for (Path path : paths.filter(Files::isRegularFile).toList()) {
                        String key = remoteDir.relativize(path).toString().replace('\\', '/');
                        if (!key.startsWith(".staging/") && key.startsWith(prefix)) {
                            keys.add(key);
                        }
                    }
                }
            } else {
                for (Path sidecar : sidecars(b2DataDir.resolve(TieringRig.BUCKET).resolve("files"))) {
                    String json = Files.readString(sidecar, StandardCharsets.UTF_8);
                    Matcher name = FILE_NAME.matcher(json);
                    if (UPLOAD_ACTION.matcher(json).find() && name.find() && name.group(1).startsWith(prefix)) {
                        keys.add(name.group(1));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return keys;
    }

    /**
     * The file that holds object {@code key}'s bytes: in the local directory, or in the emulator's
     * bucket. Changing it behind Zero's back is how a test damages the object; the emulator's
     * record of the object's length and SHA-1 stays as it was.
     */
    Path storedFile(String key) {
        if (remoteDir != null) {
            return remoteDir.resolve(key);
        }
        try {
            Path files = b2DataDir.resolve(TieringRig.BUCKET).resolve("files");
            for (Path sidecar : sidecars(files)) {
                String json = Files.readString(sidecar, StandardCharsets.UTF_8);
                Matcher name = FILE_NAME.matcher(json);
                if (UPLOAD_ACTION.matcher(json).find() && name.find() && name.group(1).equals(key)) {
                    return files.resolve(sidecar.getFileName().toString().replaceFirst("\\.json$", ".data"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("the emulator holds no object " + key);
    }

    private static List<Path> sidecars(Path files) throws IOException {
        try (Stream<Path> entries = Files.list(files)) {
            return entries.filter(p -> p.getFileName().toString().endsWith(".json")).toList();
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    /**
     * Puts an object into the remote behind Zero's back, as a crash between an upload and its
     * record would leave it: a file in the local directory, or a b2_upload_file to the emulator.
     */
    void putRemoteObject(String key, byte[] content) {
        try {
            if (remoteDir != null) {
                Path file = remoteDir.resolve(key);
                Files.createDirectories(file.getParent());
                Files.write(file, content);
            } else {
                uploadToEmulator(key, content);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** b2_authorize_account, b2_get_upload_url, b2_upload_file: the B2 native API, as any client does it. */
    private void uploadToEmulator(String key, byte[] content) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        String basic = Base64.getEncoder().encodeToString((TieringRig.KEY_ID + ":" + TieringRig.KEY).getBytes(StandardCharsets.UTF_8));
        String auth = send(http, HttpRequest.newBuilder(URI.create(emulator.url() + "/b2api/v2/b2_authorize_account"))
                .header("Authorization", "Basic " + basic).GET().build());
        String apiUrl = jsonString(auth, "apiUrl");
        String uploadUrl = send(http, HttpRequest.newBuilder(URI.create(apiUrl + "/b2api/v2/b2_get_upload_url"))
                .header("Authorization", jsonString(auth, "authorizationToken"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"bucketId\":\"" + TieringRig.BUCKET + "\"}")).build());
        send(http, HttpRequest.newBuilder(URI.create(jsonString(uploadUrl, "uploadUrl")))
                .header("Authorization", jsonString(uploadUrl, "authorizationToken"))
                .header("X-Bz-File-Name", URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/"))
                .header("Content-Type", "b2/x-auto")
                .header("X-Bz-Content-Sha1", sha1(content))
                .POST(HttpRequest.BodyPublishers.ofByteArray(content)).build());
    }

    private static String send(HttpClient http, HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError(request.uri() + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private static String jsonString(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no \"" + field + "\" in " + json);
        }
        return m.group(1);
    }

    private static String sha1(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()));
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Unmounts (or kills) whatever is mounted, stops the emulator, deletes the work directory. Never throws. */
    @Override
    public void close() {
        try {
            if (mount != null) {
                try {
                    mount.unmount();
                } catch (RuntimeException | AssertionError e) {
                    // close() below clears whatever is left; the test has already failed or passed.
                } finally {
                    mount.close();
                    mount = null;
                }
            }
        } finally {
            if (emulator != null) {
                emulator.close();
            }
            if (!ZeroMount.isMounted(mountpoint)) {
                Trees.deleteRecursively(work);
            }
        }
    }
}
