package dev.zero.tiering;

import java.util.List;

/**
 * What one tiering pass did (or has done so far): files and bytes moved each way, what failed
 * ({@code problems}, one sentence each) and what is worth knowing but not a failure ({@code
 * notices}, such as being over the target only because the rest is dirty or open).
 */
public record TierReport(
    long uploadedFiles, long uploadedBytes,
    long evictedFiles, long evictedBytes,
    long recalledFiles, long recalledBytes,
    long deletedObjects, long deletedBytes, int errors,
    List<String> problems, List<String> notices) {

  public TierReport {
    problems = List.copyOf(problems);
    notices = List.copyOf(notices);
  }

  public String summary() {
    return String.format(
        "uploaded %d files (%s), evicted %d files (%s), recalled %d files (%s), deleted %d remote objects (%s), %d errors",
        uploadedFiles, Bytes.human(uploadedBytes), evictedFiles, Bytes.human(evictedBytes),
        recalledFiles, Bytes.human(recalledBytes), deletedObjects, Bytes.human(deletedBytes), errors);
  }
}
