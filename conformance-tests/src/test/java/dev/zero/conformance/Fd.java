package dev.zero.conformance;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * An open file descriptor. The read and write helpers loop over short transfers, as a careful
 * program does, so a short count is never mistaken for a filesystem bug.
 */
public final class Fd implements AutoCloseable {
    private final int fd;
    private final Path path;
    private boolean closed;

    Fd(int fd, Path path) {
        this.fd = fd;
        this.path = path;
    }

    /** write(2) until all of {@code data} is written. */
    public void write(byte[] data) {
        int done = 0;
        while (done < data.length) {
            byte[] rest = done == 0 ? data : Arrays.copyOfRange(data, done, data.length);
            done += Sys.write(fd, rest, rest.length, path);
        }
    }

    public void write(String data) {
        write(data.getBytes(StandardCharsets.UTF_8));
    }

    /** pwrite(2) until all of {@code data} is written at {@code offset}. */
    public void pwrite(byte[] data, long offset) {
        int done = 0;
        while (done < data.length) {
            byte[] rest = done == 0 ? data : Arrays.copyOfRange(data, done, data.length);
            done += Sys.pwrite(fd, rest, rest.length, offset + done, path);
        }
    }

    /** pread(2) until {@code length} bytes or end of file; returns what was read. */
    public byte[] pread(int length, long offset) {
        byte[] out = new byte[length];
        int done = 0;
        while (done < length) {
            byte[] chunk = new byte[length - done];
            int n = Sys.pread(fd, chunk, chunk.length, offset + done, path);
            if (n == 0) {
                break;
            }
            System.arraycopy(chunk, 0, out, done, n);
            done += n;
        }
        return Arrays.copyOf(out, done);
    }

    /** One read(2) of at most {@code length} bytes from the current offset. */
    public byte[] read(int length) {
        byte[] buf = new byte[length];
        int n = Sys.read(fd, buf, length, path);
        return Arrays.copyOf(buf, n);
    }

    /** read(2) from the current offset until it returns 0. */
    public byte[] readToEnd() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 20];
        int n;
        while ((n = Sys.read(fd, buf, buf.length, path)) > 0) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    public long lseek(long offset, int whence) {
        return Sys.lseek(fd, offset, whence, path);
    }

    public void ftruncate(long length) {
        Sys.ftruncate(fd, length, path);
    }

    /** Asks the kernel to drop its cached pages of the file (posix_fadvise DONTNEED). */
    public void dropCachedPages() {
        Sys.fadviseDontNeed(fd, path);
    }

    public void fsync() {
        Sys.fsync(fd, path);
    }

    public void fdatasync() {
        Sys.fdatasync(fd, path);
    }

    public Stat stat() {
        return Sys.fstat(fd, path);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Sys.close(fd, path);
        }
    }
}
