package dev.zero.tiering;

import com.backblaze.b2.client.contentSources.B2ContentSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A range of a local file as the body of an upload: exactly {@code length} bytes, the length the
 * request declares, or a {@link FileShrankException} the moment the file ends short of it. The
 * SDK's own file source streams whatever the file holds when it is read, so a file cut while it
 * was uploaded sent a body shorter than its Content-Length, and the call hung until its socket
 * timed out (20 s), holding up the tiering pass.
 */
final class FileRangeSource implements B2ContentSource {
  private final Path file;
  private final long offset;
  private final long length;

  FileRangeSource(Path file, long offset, long length) {
    this.file = file;
    this.offset = offset;
    this.length = length;
  }

  /** The file was cut while it was read for an upload: the upload is of content that is gone. */
  static final class FileShrankException extends IOException {
    FileShrankException(Path file, long end, long got) {
      super(file + " ended at byte " + got + " while its bytes up to " + end + " were being uploaded");
    }
  }

  /** The {@link FileShrankException} that {@code e} comes from, or null. */
  static FileShrankException shrankIn(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof FileShrankException shrank) {
        return shrank;
      }
    }
    return null;
  }

  @Override
  public long getContentLength() {
    return length;
  }

  @Override
  public String getSha1OrNull() {
    return null;
  }

  @Override
  public Long getSrcLastModifiedMillisOrNull() {
    return null;
  }

  @Override
  public InputStream createInputStream() throws IOException {
    return new RangeStream(FileChannel.open(file, StandardOpenOption.READ));
  }

  @Override
  public B2ContentSource createContentSourceWithRangeOrNull(long start, long rangeLength) {
    return new FileRangeSource(file, offset + start, rangeLength);
  }

  private final class RangeStream extends InputStream {
    private final FileChannel channel;
    private long done;

    RangeStream(FileChannel channel) {
      this.channel = channel;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int at, int max) throws IOException {
      if (done == length) {
        return -1;
      }
      int n = channel.read(ByteBuffer.wrap(buffer, at, (int) Math.min(max, length - done)), offset + done);
      if (n < 0) {
        throw new FileShrankException(file, offset + length, offset + done);
      }
      done += n;
      return n;
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
