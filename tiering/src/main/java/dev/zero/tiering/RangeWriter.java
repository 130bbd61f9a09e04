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
 * arrives, a buffer at a time. Read errors propagate as IOException, which the SDK treats as a
 * broken connection and retries; write errors are local and must not be retried, so they leave as a
 * B2LocalException and are kept for {@link #writeFailure()}.
 */
final class RangeWriter implements B2ContentSink {
  private static final int BUFFER_SIZE = 256 * 1024;

  private final long offset;
  private final long length;
  private final FileChannel target;
  private final long targetOffset;
  private long written;
  private IOException writeFailure;

  RangeWriter(long offset, long length, FileChannel target, long targetOffset) {
    this.offset = offset;
    this.length = length;
    this.target = target;
    this.targetOffset = targetOffset;
  }

  @Override
  public void readContent(B2Headers headers, InputStream in) throws B2Exception, IOException {
    requireStartsAtOffset(headers);
    written = 0; // a retried download writes the same range again from its start
    byte[] bytes = new byte[(int) Math.min(BUFFER_SIZE, length)];
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (written < length) {
      int read = in.read(bytes, 0, (int) Math.min(bytes.length, length - written));
      if (read < 0) {
        return;
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
    }
  }

  /** Bytes written by the attempt that succeeded. */
  long written() {
    return written;
  }

  /** Why writing into the target failed, or null if it did not. */
  IOException writeFailure() {
    return writeFailure;
  }

  /** Bytes from any other offset written at targetOffset would corrupt the target silently. */
  private void requireStartsAtOffset(B2Headers headers) throws B2LocalException {
    String range = headers.getValueOrNull(B2Headers.CONTENT_RANGE);
    if (range == null || !range.startsWith("bytes " + offset + "-")) {
      throw new B2LocalException(
          "wrong_range",
          "B2 answered a download from offset " + offset + " with Content-Range " + range);
    }
  }
}
