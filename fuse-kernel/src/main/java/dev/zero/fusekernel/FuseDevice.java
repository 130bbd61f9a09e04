package dev.zero.fusekernel;

import java.nio.ByteBuffer;

/** The connection's /dev/fuse descriptor: one read is one request, one write one answer or notification. */
interface FuseDevice extends RequestChannel {
  /** The descriptor itself, which FUSE over io_uring's commands name. */
  int fd();

  /** Returns the ioctl's result, or -errno. */
  int ioctl(long request, int[] argument);

  void close();

  static FuseDevice of(int fd) {
    return new FuseDevice() {
      @Override
      public int fd() {
        return fd;
      }

      @Override
      public long read(ByteBuffer buffer) {
        long length = Native.LIBC.read(fd, buffer, buffer.capacity());
        return length < 0 ? -Native.errno() : length;
      }

      @Override
      public int write(ByteBuffer buffer, int length) {
        return Native.LIBC.write(fd, buffer, length) < 0 ? -Native.errno() : 0;
      }

      @Override
      public int ioctl(long request, int[] argument) {
        int result = Native.LIBC.ioctl(fd, request, argument);
        return result < 0 ? -Native.errno() : result;
      }

      @Override
      public void close() {
        Native.LIBC.close(fd);
      }
    };
  }
}
