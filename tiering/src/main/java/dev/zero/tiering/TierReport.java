package dev.zero.tiering;

/** What one tiering pass did (or has done so far): files and bytes moved each way. */
public record TierReport(
    long uploadedFiles, long uploadedBytes,
    long evictedFiles, long evictedBytes,
    long recalledFiles, long recalledBytes,
    long deletedObjects, long deletedBytes, int errors) {

  public String summary() {
    return String.format(
        "uploaded %d files (%s), evicted %d files (%s), recalled %d files (%s), deleted %d remote objects (%s), %d errors",
        uploadedFiles, Bytes.human(uploadedBytes), evictedFiles, Bytes.human(evictedBytes),
        recalledFiles, Bytes.human(recalledBytes), deletedObjects, Bytes.human(deletedBytes), errors);
  }
}
