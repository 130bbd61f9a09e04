package dev.zero.fuse;

import jnr.ffi.Struct;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.FuseOperations;

/**
 * Sets the bit flags of libfuse's {@code struct fuse_operations} and {@code struct
 * fuse_file_info}, which jnr-fuse declares as bytes rather than bits and gives no setter for. It
 * extends {@link Struct} only to reach jnr-ffi's protected member offset.
 */
final class FuseFlags extends Struct {
  /** flag_nullpath_ok, flag_nopath and flag_utime_omit_ok are bits 0, 1 and 2 of one word. */
  static final int NULLPATH_OK = 1;
  static final int UTIME_OMIT_OK = 1 << 2;

  private FuseFlags() {
    super(jnr.ffi.Runtime.getSystemRuntime());
  }

  static void set(FuseOperations operations, int flags) {
    long offset = ((AbstractMember) operations.flag_nullpath_ok).offset();
    Struct.getMemory(operations).putByte(offset, (byte) flags);
  }

  /**
   * Sets direct_io on an open file: its reads and writes bypass the kernel's page cache. In C,
   * direct_io is bit 0 of the unsigned int just before {@code fh} (jnr-fuse's own direct_io
   * byte sits on the writepage field).
   */
  static void setDirectIo(FuseFileInfo fi) {
    long offset = fi.fh.offset() - Integer.BYTES;
    jnr.ffi.Pointer memory = Struct.getMemory(fi);
    memory.putByte(offset, (byte) (memory.getByte(offset) | 1));
  }
}
