package dev.zero.b2emulator;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The one bucket's files, kept under {@code dataDir/<bucketId>/}:
 * <pre>
 *   files/&lt;fileId&gt;.data          content of an uploaded version
 *   files/&lt;fileId&gt;.json          its metadata ({@link FileVersion}); a version exists iff this file does
 *   large/&lt;fileId&gt;/start.json    an unfinished large file
 *   large/&lt;fileId&gt;/&lt;n&gt;.part, &lt;n&gt;.json   its uploaded parts
 *   tmp/                          bodies being received; emptied at start
 * </pre>
 * Content is always complete before its metadata is written (both by atomic renames), so a
 * crash leaves at worst an orphan content file, which the next start removes. The index lives
 * in memory, rebuilt from the metadata files at start.
 */
final class BucketStore {
    private static final String SIDECAR = ".json";
    private static final String CONTENT = ".data";
    private static final String PART = ".part";
    private static final String START = "start.json";

    private final String accountId;
    private final String bucketId;
    private final Path filesDir;
    private final Path largeDir;
    private final Path tmpDir;
    private final SecureRandom random = new SecureRandom();

    /** Versions of each name, newest first. */
    private final NavigableMap<String, List<FileVersion>> byName = new TreeMap<>();
    private final Map<String, FileVersion> byId = new HashMap<>();
    private final Map<String, FileVersion> unfinished = new HashMap<>();
    private final Map<String, NavigableMap<Integer, Part>> partsByFileId = new HashMap<>();
    private long lastTimestamp;

    private BucketStore(String accountId, String bucketId, Path root) {
        this.accountId = accountId;
        this.bucketId = bucketId;
        this.filesDir = root.resolve("files");
        this.largeDir = root.resolve("large");
        this.tmpDir = root.resolve("tmp");
    }

    /** @param accountId the account the bucket belongs to, as every file version reports it */
    static BucketStore open(Path dataDir, String accountId, String bucketId) throws IOException {
        BucketStore store = new BucketStore(accountId, bucketId, dataDir.resolve(bucketId));
        store.load();
        return store;
    }

    String accountId() {
        return accountId;
    }

    String bucketId() {
        return bucketId;
    }

    Path newTempFile() throws IOException {
        return Files.createTempFile(tmpDir, "body", ".tmp");
    }

    synchronized FileVersion addUpload(String fileName, String contentType, Map<String, String> fileInfo,
                                       ReceivedBody body) throws IOException {
        String fileId = newFileId();
        FileVersion version = new FileVersion(fileId, fileName, body.contentLength(), contentType, body.sha1(),
                fileInfo, FileVersion.UPLOAD, nextTimestamp());
        Files.move(body.file(), filesDir.resolve(fileId + CONTENT), StandardCopyOption.ATOMIC_MOVE);
        writeJson(filesDir.resolve(fileId + SIDECAR), version.toJson(accountId, bucketId));
        index(version);
        return version;
    }

    synchronized FileVersion hide(String fileName) throws IOException {
        if (latestVisible(fileName).isEmpty()) {
            throw B2Error.badRequest("File not present: " + fileName);
        }
        FileVersion marker = new FileVersion(newFileId(), fileName, 0, null, FileVersion.NO_SHA1, Map.of(),
                FileVersion.HIDE, nextTimestamp());
        writeJson(filesDir.resolve(marker.fileId() + SIDECAR), marker.toJson(accountId, bucketId));
        index(marker);
        return marker;
    }

    synchronized FileVersion deleteVersion(String fileName, String fileId) throws IOException {
        FileVersion version = byId.get(fileId);
        if (version == null || !version.fileName().equals(fileName)) {
            throw new B2Error(400, "file_not_present", "File not present: " + fileName + " " + fileId, null);
        }
        byId.remove(fileId);
        List<FileVersion> versions = byName.get(fileName);
        versions.remove(version);
        if (versions.isEmpty()) {
            byName.remove(fileName);
        }
        Files.delete(filesDir.resolve(fileId + SIDECAR));
        Files.deleteIfExists(filesDir.resolve(fileId + CONTENT));
        return version;
    }

    /** A finished version or an unfinished large file. */
    synchronized Optional<FileVersion> version(String fileId) {
        FileVersion version = byId.get(fileId);
        return Optional.ofNullable(version != null ? version : unfinished.get(fileId));
    }

    /** What a download by name gets: the newest version, unless that is a hide marker. */
    synchronized Optional<FileVersion> latestVisible(String fileName) {
        List<FileVersion> versions = byName.get(fileName);
        if (versions == null || !versions.get(0).isUpload()) {
            return Optional.empty();
        }
        return Optional.of(versions.get(0));
    }

    Path contentOf(FileVersion version) {
        return filesDir.resolve(version.fileId() + CONTENT);
    }

    synchronized FileVersion startLargeFile(String fileName, String contentType, Map<String, String> fileInfo)
            throws IOException {
        String fileId = newFileId();
        FileVersion started = new FileVersion(fileId, fileName, 0, contentType, FileVersion.NO_SHA1, fileInfo,
                FileVersion.START, nextTimestamp());
        Path dir = largeDir.resolve(fileId);
        Files.createDirectories(dir);
        writeJson(dir.resolve(START), started.toJson(accountId, bucketId));
        unfinished.put(fileId, started);
        partsByFileId.put(fileId, new TreeMap<>());
        return started;
    }

    /** Stores a part, replacing an earlier upload of the same part number as the real service does. */
    synchronized Part addPart(String fileId, int partNumber, ReceivedBody body) throws IOException {
        NavigableMap<Integer, Part> parts = requireUnfinishedParts(fileId);
        Part part = new Part(fileId, partNumber, body.contentLength(), body.sha1(), nextTimestamp());
        Path dir = largeDir.resolve(fileId);
        Files.move(body.file(), dir.resolve(partNumber + PART),
                StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        writeJson(dir.resolve(partNumber + SIDECAR), part.toJson());
        parts.put(partNumber, part);
        return part;
    }

    synchronized List<Part> parts(String fileId) {
        return List.copyOf(requireUnfinishedParts(fileId).values());
    }

    synchronized FileVersion unfinishedLargeFile(String fileId) {
        requireUnfinishedParts(fileId);
        return unfinished.get(fileId);
    }

    /**
     * Joins the parts into one object. The parts must be numbered 1..n, match the SHA-1s the
     * client lists, and all but the last must be at least {@code minimumPartSize}.
     */
    FileVersion finishLargeFile(String fileId, List<String> partSha1s, long minimumPartSize) throws IOException {
        FileVersion started;
        List<Part> parts;
        synchronized (this) {
            parts = List.copyOf(requireUnfinishedParts(fileId).values());
            checkPartsMatch(parts, partSha1s, minimumPartSize);
            // Taking it out of the unfinished set keeps other calls off it while it is joined.
            started = unfinished.remove(fileId);
            partsByFileId.remove(fileId);
        }
        Path joined = newTempFile();
        long length = 0;
        try (FileChannel out = FileChannel.open(joined, StandardOpenOption.WRITE)) {
            // Joined outside the lock: copying gigabytes must not stall every other call.
            for (Part part : parts) {
                try (FileChannel in = FileChannel.open(largeDir.resolve(fileId).resolve(part.partNumber() + PART))) {
                    long copied = 0;
                    while (copied < part.contentLength()) {
                        copied += in.transferTo(copied, part.contentLength() - copied, out);
                    }
                }
                length += part.contentLength();
            }
        } catch (IOException e) {
            Files.deleteIfExists(joined);
            synchronized (this) {
                unfinished.put(fileId, started);
                partsByFileId.put(fileId, partMap(parts));
            }
            throw e;
        }
        synchronized (this) {
            FileVersion finished = new FileVersion(fileId, started.fileName(), length, started.contentType(),
                    FileVersion.NO_SHA1, started.fileInfo(), FileVersion.UPLOAD, nextTimestamp());
            Files.move(joined, filesDir.resolve(fileId + CONTENT), StandardCopyOption.ATOMIC_MOVE);
            writeJson(filesDir.resolve(fileId + SIDECAR), finished.toJson(accountId, bucketId));
            index(finished);
            deleteTree(largeDir.resolve(fileId));
            return finished;
        }
    }

    /**
     * Unfinished large files, oldest first, from {@code startFileId} on (null: the oldest), whose
     * names start with {@code namePrefix} (null: any); one more than {@code maxCount} if there are
     * more, so the caller can name where the next page starts.
     */
    synchronized List<FileVersion> unfinishedLargeFiles(String namePrefix, String startFileId, int maxCount) {
        List<FileVersion> oldestFirst = unfinished.values().stream()
                .sorted(Comparator.comparingLong(FileVersion::uploadTimestamp))
                .toList();
        int start = 0;
        while (startFileId != null && start < oldestFirst.size() && !oldestFirst.get(start).fileId().equals(startFileId)) {
            start++;
        }
        return oldestFirst.subList(start, oldestFirst.size()).stream()
                .filter(version -> namePrefix == null || version.fileName().startsWith(namePrefix))
                .limit(maxCount + 1L)
                .toList();
    }

    synchronized FileVersion cancelLargeFile(String fileId) throws IOException {
        requireUnfinishedParts(fileId);
        partsByFileId.remove(fileId);
        FileVersion started = unfinished.remove(fileId);
        deleteTree(largeDir.resolve(fileId));
        return started;
    }

    /** The newest visible version of each name, in name order, folded into folders by {@code delimiter}. */
    synchronized ListPage listNames(String startFileName, int maxCount, String prefix, String delimiter) {
        return Listing.page(byName, startFileName, null, maxCount, prefix, delimiter, false);
    }

    /** Every version (hide markers too), by name and then newest first, folded into folders by {@code delimiter}. */
    synchronized ListPage listVersions(String startFileName, String startFileId, int maxCount, String prefix,
                                       String delimiter) {
        return Listing.page(byName, startFileName, startFileId, maxCount, prefix, delimiter, true);
    }

    private NavigableMap<Integer, Part> requireUnfinishedParts(String fileId) {
        NavigableMap<Integer, Part> parts = partsByFileId.get(fileId);
        if (parts == null) {
            throw B2Error.badRequest("no unfinished large file with id " + fileId);
        }
        return parts;
    }

    private static void checkPartsMatch(List<Part> parts, List<String> partSha1s, long minimumPartSize) {
        if (parts.isEmpty()) {
            throw B2Error.badRequest("large file has no parts");
        }
        if (parts.size() != partSha1s.size()) {
            throw B2Error.badRequest("partSha1Array has " + partSha1s.size() + " entries but "
                    + parts.size() + " parts were uploaded");
        }
        for (int i = 0; i < parts.size(); i++) {
            Part part = parts.get(i);
            if (part.partNumber() != i + 1) {
                throw B2Error.badRequest("part " + (i + 1) + " is missing");
            }
            if (!part.contentSha1().equalsIgnoreCase(partSha1s.get(i))) {
                throw B2Error.badRequest("part " + part.partNumber() + " SHA-1 does not match partSha1Array");
            }
            if (i < parts.size() - 1 && part.contentLength() < minimumPartSize) {
                throw B2Error.badRequest("part " + part.partNumber() + " is smaller than the minimum part size "
                        + minimumPartSize);
            }
        }
    }

    private static NavigableMap<Integer, Part> partMap(List<Part> parts) {
        NavigableMap<Integer, Part> map = new TreeMap<>();
        parts.forEach(part -> map.put(part.partNumber(), part));
        return map;
    }

    private void index(FileVersion version) {
        byId.put(version.fileId(), version);
        List<FileVersion> versions = byName.computeIfAbsent(version.fileName(), name -> new ArrayList<>());
        versions.add(version);
        versions.sort(Comparator.comparingLong(FileVersion::uploadTimestamp).reversed());
        lastTimestamp = Math.max(lastTimestamp, version.uploadTimestamp());
    }

    /** Unique within the bucket so that versions of one name order strictly, as on the real service. */
    private long nextTimestamp() {
        lastTimestamp = Math.max(System.currentTimeMillis(), lastTimestamp + 1);
        return lastTimestamp;
    }

    private String newFileId() {
        byte[] bytes = new byte[12];
        String fileId;
        do {
            random.nextBytes(bytes);
            fileId = "4_z" + bucketId + "_f" + HexFormat.of().formatHex(bytes);
        } while (byId.containsKey(fileId) || unfinished.containsKey(fileId));
        return fileId;
    }

    private void load() throws IOException {
        Files.createDirectories(filesDir);
        Files.createDirectories(largeDir);
        if (Files.exists(tmpDir)) {
            deleteTree(tmpDir);
        }
        Files.createDirectories(tmpDir);
        try (Stream<Path> files = Files.list(filesDir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(SIDECAR)) {
                    index(FileVersion.fromJson(readJson(file)));
                }
            }
        }
        removeOrphanContent();
        try (Stream<Path> dirs = Files.list(largeDir)) {
            for (Path dir : dirs.toList()) {
                loadUnfinished(dir);
            }
        }
    }

    /** Content whose metadata was never written: a crash between the two renames. */
    private void removeOrphanContent() throws IOException {
        try (Stream<Path> files = Files.list(filesDir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                boolean orphan = name.endsWith(CONTENT)
                        && !byId.containsKey(name.substring(0, name.length() - CONTENT.length()));
                if (orphan || name.endsWith(".tmp")) {
                    Files.delete(file);
                }
            }
        }
    }

    private void loadUnfinished(Path dir) throws IOException {
        String fileId = dir.getFileName().toString();
        if (byId.containsKey(fileId) || !Files.exists(dir.resolve(START))) {
            deleteTree(dir); // finished before a crash removed its parts, or never fully started
            return;
        }
        FileVersion started = FileVersion.fromJson(readJson(dir.resolve(START)));
        NavigableMap<Integer, Part> parts = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(SIDECAR) && !name.equals(START)) {
                    Part part = Part.fromJson(readJson(file));
                    parts.put(part.partNumber(), part);
                }
            }
        }
        unfinished.put(fileId, started);
        partsByFileId.put(fileId, parts);
        lastTimestamp = Math.max(lastTimestamp, started.uploadTimestamp());
    }

    private static JsonArgs readJson(Path file) throws IOException {
        return JsonArgs.parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Written beside and renamed into place, so a reader never sees half a file. */
    private static void writeJson(Path file, Object json) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(partial, Json.write(json), StandardCharsets.UTF_8);
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
