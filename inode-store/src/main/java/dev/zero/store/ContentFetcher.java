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
}
