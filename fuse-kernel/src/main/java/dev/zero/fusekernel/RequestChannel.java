package dev.zero.fusekernel;

import java.nio.ByteBuffer;

/** Where a request thread reads the kernel's requests and writes its answers. */
interface RequestChannel {
  /** Reads one request into {@code buffer} (from 0), laid out as /dev/fuse gives it; returns its length, or -errno. */
  long read(ByteBuffer buffer);

  /** Writes the answer in the first {@code length} bytes of {@code buffer}; returns 0, or -errno. */
  int write(ByteBuffer buffer, int length);
}
