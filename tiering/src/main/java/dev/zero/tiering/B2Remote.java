package dev.zero.tiering;

import com.backblaze.b2.client.B2ClientConfig;
import com.backblaze.b2.client.B2FilePolicy;
import com.backblaze.b2.client.B2ListFilesIterable;
import com.backblaze.b2.client.B2StorageClient;
import com.backblaze.b2.client.contentSources.B2ContentTypes;
import com.backblaze.b2.client.exceptions.B2BadRequestException;
import com.backblaze.b2.client.exceptions.B2Exception;
import com.backblaze.b2.client.exceptions.B2NotFoundException;
import com.backblaze.b2.client.exceptions.B2RuntimeException;
import com.backblaze.b2.client.structures.B2AccountAuthorization;
import com.backblaze.b2.client.structures.B2Allowed;
import com.backblaze.b2.client.structures.B2Bucket;
import com.backblaze.b2.client.structures.B2DownloadByNameRequest;
import com.backblaze.b2.client.structures.B2FileVersion;
import com.backblaze.b2.client.structures.B2ListBucketsRequest;
import com.backblaze.b2.client.structures.B2ListFileNamesRequest;
import com.backblaze.b2.client.structures.B2ListFileVersionsRequest;
import com.backblaze.b2.client.structures.B2StartLargeFileRequest;
import com.backblaze.b2.client.structures.B2UploadFileRequest;
import com.backblaze.b2.client.webApiHttpClient.B2StorageHttpClientBuilder;
import com.backblaze.b2.client.webApiHttpClient.HttpClientFactoryImpl;
import com.backblaze.b2.util.B2ByteRange;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A {@link Remote} that is a Backblaze B2 bucket, through the official SDK. Each key is a file
 * name; uploading a key again adds a version, and {@link #delete} removes every version. Nothing is
 * sent to B2 before the first call, so a remote can be created while B2 is unreachable. Each call
 * is retried as {@link B2Settings} allow; what still fails is a {@link RemoteException}.
 */
public final class B2Remote implements Remote {
  private static final String USER_AGENT = "zero-tiering";

  /** b2_list_file_names answers up to 1000 names for the price of one transaction. */
  private static final int NAMES_PER_PAGE = 1000;

  /** A delete lists one name's versions, almost always one or two. */
  private static final int VERSIONS_PER_PAGE = 100;

  private static final String UNVERIFIED = "unverified:";

  /** A cut download that brought at least this much resumes at once, and uses up no attempt. */
  private static final long WORTHWHILE_TRANSFER = 8L << 20;

  /** 416: the range starts at or past the end of an object that exists. */
  private static final int RANGE_NOT_SATISFIABLE = 416;

  private final B2Settings settings;
  private final B2StorageClient client;
  private final ExecutorService partUploads;

  /** Download URLs name the bucket; looked up once, on the first download. */
  private volatile String bucketName;

  public B2Remote(B2Settings settings) {
    this.settings = settings;
    B2ClientConfig.Builder config =
        B2ClientConfig.builder(settings.keyId(), settings.applicationKey(), USER_AGENT);
    if (settings.masterUrl() != null) {
      config.setMasterUrl(settings.masterUrl());
    }
    // The SDK multiplies the wait by 1000 in an int.
    int maxBackoffSeconds =
        (int) Math.min(settings.maxBackoff().toSeconds(), Integer.MAX_VALUE / 1000);
    B2StorageHttpClientBuilder builder =
        B2StorageHttpClientBuilder.builder(config.build())
            .setRetryPolicySupplier(
                () -> new BoundedRetryPolicy(settings.maxAttempts(), maxBackoffSeconds));
    if (settings.masterUrl() != null && settings.masterUrl().startsWith("http:")) {
      builder.setHttpClientFactory(
          HttpClientFactoryImpl.builder().setSupportInsecureHttp(true).build());
    }
    this.client = builder.build();
    this.partUploads = Executors.newFixedThreadPool(settings.uploadThreads(), partThreads());
  }

  @Override
  public RemoteObject upload(String key, Path file) throws RemoteException {
    ObjectKeys.requireValid(key);
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw DiskFailures.refused(
          "reading " + file + " to upload it as '" + key + "'", "that file", e);
    }
    // Without a SHA-1 in the content source the SDK computes it while sending and appends it to
    // the body (hex_digits_at_end): one pass over the file, not two.
    B2UploadFileRequest request =
        B2UploadFileRequest.builder(
                settings.bucketId(),
                key,
                B2ContentTypes.APPLICATION_OCTET,
                new FileRangeSource(file, 0, size))
            .build();
    try {
      B2FileVersion stored = isLarge(size) ? uploadLarge(request) : client.uploadSmallFile(request);
      return new RemoteObject(key, stored.getContentLength());
    } catch (B2Exception e) {
      FileRangeSource.FileShrankException shrank = FileRangeSource.shrankIn(e);
      if (shrank != null) {
        throw new RemoteException(RemoteException.Kind.REFUSED, "Uploading '" + key + "' stopped: " + shrank.getMessage(), e);
      }
      throw B2Failures.toRemoteException("upload '" + key + "'", e);
    }
  }

  @Override
  public long download(String key, long offset, long length, FileChannel target, long targetOffset, Progress progress)
      throws RemoteException {
    ObjectKeys.requireValid(key);
    ObjectKeys.requireValidRange(offset, length, targetOffset);
    long end = length > Long.MAX_VALUE - offset ? Long.MAX_VALUE : offset + length;
    long done = 0;
    int fruitlessCuts = 0;
    while (offset + done < end) {
      long from = offset + done;
      B2ByteRange range = end == Long.MAX_VALUE ? B2ByteRange.startAt(from) : B2ByteRange.between(from, end - 1);
      RangeWriter writer = new RangeWriter(from, end - from, target, targetOffset + done, progress, done);
      try {
        client.downloadByName(
            B2DownloadByNameRequest.builder(bucketName(), key).setRange(range).build(), writer);
        return done + writer.written();
      } catch (B2Exception e) {
        if (writer.writeFailure() != null) {
          throw DiskFailures.refused(
              "writing the download of '" + key + "'",
              "the file being downloaded into",
              writer.writeFailure());
        }
        if (e.getStatus() == RANGE_NOT_SATISFIABLE) {
          return done;
        }
        if (writer.cut() == null) {
          throw B2Failures.toRemoteException("download '" + key + "'", e);
        }
        // Broken off mid-body: ask for the rest only. A transfer that brought a good part of it
        // was worth its call; one cut after another with little to show is the remote failing.
        done += writer.written();
        fruitlessCuts = writer.written() >= WORTHWHILE_TRANSFER ? 0 : fruitlessCuts + 1;
        if (fruitlessCuts >= settings.maxAttempts()) {
          throw new RemoteException(RemoteException.Kind.UNAVAILABLE,
              "download '" + key + "' broke off " + fruitlessCuts + " times in a row: " + writer.cut().getMessage(), e);
        }
        pauseBeforeResuming(fruitlessCuts);
      }
    }
    return done;
  }

  /** Waits before asking for the rest of a cut download: not at all after a worthwhile transfer, then 1, 2, 4 s... */
  private void pauseBeforeResuming(int fruitlessCuts) throws RemoteException {
    if (fruitlessCuts == 0) {
      return;
    }
    long seconds = Math.min(1L << (fruitlessCuts - 1), Math.max(1, settings.maxBackoff().toSeconds()));
    try {
      Thread.sleep(seconds * 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RemoteException(RemoteException.Kind.UNAVAILABLE, "interrupted resuming a download", e);
    }
  }

  @Override
  public void delete(String key) throws RemoteException {
    ObjectKeys.requireValid(key);
    try {
      // Versions are listed by name, newest first; the key's own come first from its name on.
      List<B2FileVersion> versions = new ArrayList<>();
      forEach(
          client.fileVersions(
              B2ListFileVersionsRequest.builder(settings.bucketId())
                  .setStartFileName(key)
                  .setPrefix(key)
                  .setMaxFileCount(VERSIONS_PER_PAGE)
                  .build()),
          version -> version.getFileName().equals(key) && versions.add(version));
      for (B2FileVersion version : versions) {
        deleteVersion(version);
      }
    } catch (B2Exception e) {
      throw B2Failures.toRemoteException("delete '" + key + "'", e);
    }
  }

  @Override
  public String sha1(String key) throws RemoteException {
    ObjectKeys.requireValid(key);
    try {
      String sha1 = client.getFileInfoByName(bucketName(), key).getContentSha1();
      // "none" for large files; an upload that sent its SHA-1 after the data says "unverified:".
      if (sha1 == null || sha1.equals("none")) {
        return null;
      }
      return sha1.startsWith(UNVERIFIED) ? sha1.substring(UNVERIFIED.length()) : sha1;
    } catch (B2Exception e) {
      throw B2Failures.toRemoteException("read the SHA-1 of '" + key + "'", e);
    }
  }

  @Override
  public List<RemoteObject> list(String prefix) throws RemoteException {
    String wanted = prefix == null ? "" : prefix;
    B2ListFileNamesRequest.Builder request =
        B2ListFileNamesRequest.builder(settings.bucketId()).setMaxFileCount(NAMES_PER_PAGE);
    if (!wanted.isEmpty()) {
      request.setPrefix(wanted);
    }
    List<RemoteObject> objects = new ArrayList<>();
    try {
      forEach(
          client.fileNames(request.build()),
          version ->
              objects.add(new RemoteObject(version.getFileName(), version.getContentLength())));
    } catch (B2Exception e) {
      throw B2Failures.toRemoteException("list the objects under '" + wanted + "'", e);
    }
    return objects;
  }

  @Override
  public void close() {
    client.close();
    partUploads.shutdownNow();
  }

  @Override
  public String toString() {
    return "B2 bucket " + settings.bucketId();
  }

  /**
   * Large-file uploads need two parts of at least B2's minimum part size, and files over 5 GB need
   * them.
   */
  private boolean isLarge(long size) throws B2Exception {
    B2FilePolicy policy = client.getFilePolicy();
    return policy.mustBeLargeFile(size)
        || (size >= settings.largeFileThreshold() && policy.couldBeLargeFile(size));
  }

  /**
   * Uploads the parts in parallel on {@link #partUploads}, each retried on its own, sized from the
   * account's recommended part size (never below its minimum). A failed upload is cancelled so that
   * its parts stop taking space in the bucket.
   */
  private B2FileVersion uploadLarge(B2UploadFileRequest request) throws B2Exception {
    B2FileVersion started = client.startLargeFile(B2StartLargeFileRequest.buildFrom(request));
    try {
      return client.storeLargeFileFromLocalContent(
          started, request.getContentSource(), null, partUploads);
    } catch (B2Exception e) {
      try {
        client.cancelLargeFile(started.getFileId());
      } catch (B2Exception cancelFailed) {
        e.addSuppressed(cancelFailed);
      }
      throw e;
    }
  }

  private void deleteVersion(B2FileVersion version) throws B2Exception {
    try {
      client.deleteFileVersion(version);
    } catch (B2NotFoundException e) {
      // Deleted by someone else meanwhile: what delete wants.
    } catch (B2BadRequestException e) {
      if (!"file_not_present".equals(e.getCode())) {
        throw e;
      }
      // Same, as B2 reports it for a file id it no longer has.
    }
  }

  private String bucketName() throws B2Exception, RemoteException {
    String name = bucketName;
    if (name == null) {
      B2AccountAuthorization authorization = client.getAccountAuthorization();
      B2Allowed allowed = authorization.getAllowed();
      if (allowed != null
          && settings.bucketId().equals(allowed.getBucketId())
          && allowed.getBucketName() != null) {
        name = allowed.getBucketName(); // a key restricted to the bucket names it
      } else {
        List<B2Bucket> buckets =
            client
                .listBuckets(
                    B2ListBucketsRequest.builder(authorization.getAccountId())
                        .setBucketId(settings.bucketId())
                        .build())
                .getBuckets();
        if (buckets.isEmpty()) {
          throw new RemoteException(
              RemoteException.Kind.REFUSED,
              "B2 has no bucket with id "
                  + settings.bucketId()
                  + " that this application key can see: check bucketId in config.yml",
              null);
        }
        name = buckets.get(0).getBucketName();
      }
      bucketName = name;
    }
    return name;
  }

  /**
   * Visits a listing until {@code visitor} returns false. The SDK fetches pages as the iteration
   * goes and reports their failures unchecked; they are turned back into what they were.
   */
  private static void forEach(B2ListFilesIterable listing, Predicate<B2FileVersion> visitor)
      throws B2Exception {
    try {
      for (B2FileVersion version : listing) {
        if (!visitor.test(version)) {
          return;
        }
      }
    } catch (B2RuntimeException e) {
      if (e.getCause() instanceof B2Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** Daemon threads, so that a remote nobody closed does not keep the JVM alive. */
  private static ThreadFactory partThreads() {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, "b2-upload-part-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
