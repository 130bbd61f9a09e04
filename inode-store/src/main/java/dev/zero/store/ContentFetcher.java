package dev.zero.store;

import java.io.IOException;
import java.nio.channels.FileChannel;

/** What the store needs from the remote side: a byte range of an object, written into a file. */
public interface ContentFetcher {
  /**
   * Writes bytes [{@code offset}, {@code offset + length}) of object {@code key} into {@code
   * target} at the same offset, and returns how many it wrote.
   */
  long fetch(String key, long offset, long length, FileChannel target) throws IOException;

  /**
   * Like {@link #fetch(String, long, long, FileChannel)}, telling {@code progress} as the bytes
   * land, so that a reader can have its bytes before the whole range is there. Returns early,
   * with what it wrote, when {@code progress} says to stop. A fetcher that cannot stream reports
   * once, at the end.
   */
  default long fetch(String key, long offset, long length, FileChannel target, Progress progress) throws IOException {
    long written = fetch(key, offset, length, target);
    progress.reached(offset + written);
    return written;
  }

  /** Told how far a fetch got. */
  interface Progress {
    /**
     * Bytes of the target up to {@code end} are written. Returns false to stop the fetch there;
     * may block, which holds the transfer back until it returns.
     */
    boolean reached(long end);
  }
}
