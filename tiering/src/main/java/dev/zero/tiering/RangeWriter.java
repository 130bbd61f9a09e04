package dev.zero.tiering;

import com.backblaze.b2.client.contentHandlers.B2ContentSink;
import com.backblaze.b2.client.contentSources.B2Headers;
import com.backblaze.b2.client.exceptions.B2Exception;
import com.backblaze.b2.client.exceptions.B2LocalException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Receives the body of one ranged download and writes it into a file channel at a position as it
 * arrives, a buffer at a time, telling a {@link Remote.Progress} after each. A body broken off
 * after its headers is not left to the SDK, which would ask for the whole range again: it leaves
 * as a B2LocalException (never retried by the SDK) with {@link #cut()} set, so that the caller
 * asks for the rest only. Write errors are local and must not be retried either; they are kept
 * for {@link #writeFailure()}.
 */
final class RangeWriter implements B2ContentSink {
  private static final int BUFFER_SIZE = 256 * 1024;

  private final long offset;
  private final long length;
  private final FileChannel target;
  private final long targetOffset;
  private final Remote.Progress progress;
  /** Bytes already written by the transfers before this one, which progress counts too. */
  private final long before;
  private long written;
  private IOException writeFailure;
  private IOException cut;

  RangeWriter(long offset, long length, FileChannel target, long targetOffset, Remote.Progress progress, long before) {
    this.offset = offset;
    this.length = length;
    this.target = target;
    this.targetOffset = targetOffset;
    this.progress = progress;
    this.before = before;
  }

  @Override
  public void readContent(B2Headers headers, InputStream in) throws B2Exception, IOException {
    long expected = Math.min(length, rangeLength(headers));
    written = 0; // a retried download writes the same range again from its start
    byte[] bytes = new byte[(int) Math.min(BUFFER_SIZE, length)];
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (written < expected) {
      int read;
      try {
        read = in.read(bytes, 0, (int) Math.min(bytes.length, expected - written));
        if (read < 0) {
          throw new IOException("the body ended after " + written + " of " + expected + " bytes");
        }
      } catch (IOException e) {
        cut = e;
        throw new B2LocalException("cut", "the download broke off after " + written + " bytes: " + e, e);
      }
      buffer.clear().limit(read);
      try {
        while (buffer.hasRemaining()) {
          written += target.write(buffer, targetOffset + written);
        }
      } catch (IOException e) {
        writeFailure = e;
        throw new B2LocalException("write_failed", "could not write the downloaded bytes: " + e, e);
      }
      if (!progress.reached(before + written)) {
        return; // closing the response drops the rest of the body
      }
    }
  }

  /** Bytes written by the last attempt. */
  long written() {
    return written;
  }

  /** Why writing into the target failed, or null if it did not. */
  IOException writeFailure() {
    return writeFailure;
  }

  /** Why the body broke off before its end, or null if it did not. */
  IOException cut() {
    return cut;
  }

  /**
   * The range's length as Content-Range says ("bytes FIRST-LAST/TOTAL"), which tells a body cut
   * short from the end of the object. Bytes from any other offset written at targetOffset would
   * corrupt the target silently.
   */
  private long rangeLength(B2Headers headers) throws B2LocalException {
    String range = headers.getValueOrNull(B2Headers.CONTENT_RANGE);
    String prefix = "bytes " + offset + "-";
    if (range == null || !range.startsWith(prefix)) {
      throw new B2LocalException(
          "wrong_range",
          "B2 answered a download from offset " + offset + " with Content-Range " + range);
    }
    int slash = range.indexOf('/', prefix.length());
    try {
      long last = Long.parseLong(range.substring(prefix.length(), slash < 0 ? range.length() : slash).trim());
      return last - offset + 1;
    } catch (NumberFormatException e) {
      throw new B2LocalException("wrong_range", "B2 answered a download with Content-Range " + range);
    }
  }
}
