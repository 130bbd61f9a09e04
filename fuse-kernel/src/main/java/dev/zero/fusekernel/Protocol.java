package dev.zero.fusekernel;

/**
 * The numbers of the kernel's FUSE protocol ({@code include/uapi/linux/fuse.h}, 7.41): opcodes,
 * INIT flags and the sizes of the structs, which are all little-endian and naturally aligned.
 */
final class Protocol {
  static final int KERNEL_MAJOR = 7;
  /** The newest minor version whose structs this binding knows. */
  static final int KERNEL_MINOR = 41;

  // Opcodes.
  static final int LOOKUP = 1;
  static final int FORGET = 2;
  static final int GETATTR = 3;
  static final int SETATTR = 4;
  static final int READLINK = 5;
  static final int SYMLINK = 6;
  static final int MKNOD = 8;
  static final int MKDIR = 9;
  static final int UNLINK = 10;
  static final int RMDIR = 11;
  static final int RENAME = 12;
  static final int LINK = 13;
  static final int OPEN = 14;
  static final int READ = 15;
  static final int WRITE = 16;
  static final int STATFS = 17;
  static final int RELEASE = 18;
  static final int FSYNC = 20;
  static final int SETXATTR = 21;
  static final int GETXATTR = 22;
  static final int LISTXATTR = 23;
  static final int REMOVEXATTR = 24;
  static final int FLUSH = 25;
  static final int INIT = 26;
  static final int OPENDIR = 27;
  static final int READDIR = 28;
  static final int RELEASEDIR = 29;
  static final int FSYNCDIR = 30;
  static final int ACCESS = 34;
  static final int CREATE = 35;
  static final int INTERRUPT = 36;
  static final int DESTROY = 38;
  static final int BATCH_FORGET = 42;
  static final int FALLOCATE = 43;
  static final int READDIRPLUS = 44;
  static final int RENAME2 = 45;

  // INIT flags (flags | flags2 << 32).
  static final long ASYNC_READ = 1L << 0;
  static final long ATOMIC_O_TRUNC = 1L << 3;
  static final long BIG_WRITES = 1L << 5;
  static final long DO_READDIRPLUS = 1L << 13;
  static final long READDIRPLUS_AUTO = 1L << 14;
  static final long ASYNC_DIO = 1L << 15;
  static final long PARALLEL_DIROPS = 1L << 18;
  static final long MAX_PAGES = 1L << 22;
  static final long CACHE_SYMLINKS = 1L << 23;
  static final long NO_OPENDIR_SUPPORT = 1L << 24;
  static final long HANDLE_KILLPRIV_V2 = 1L << 28;
  static final long INIT_EXT = 1L << 30;
  static final long PASSTHROUGH = 1L << 37;
  /** 7.42's, with structs of its own only (RingChannel), so the binding still speaks 7.41. */
  static final long OVER_IO_URING = 1L << 41;

  // Notification codes, sent in the error field of a header with unique 0.
  static final int NOTIFY_INVAL_INODE = 2;
  static final int NOTIFY_INVAL_ENTRY = 3;

  // Struct sizes.
  static final int IN_HEADER = 40;
  static final int OUT_HEADER = 16;
  static final int ATTR = 88;
  static final int ENTRY_OUT = 40 + ATTR;
  static final int INIT_OUT = 64;
  static final int DIRENT = 24;

  // Request fields.
  static final int GETATTR_FH = 1;
  static final int FSYNC_FDATASYNC = 1;

  static final int PAGE = 4096;

  private Protocol() {}

  /** Entries in READDIR replies are padded to 8 bytes. */
  static int align8(int length) {
    return (length + 7) & ~7;
  }
}
