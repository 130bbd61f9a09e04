package dev.zero.fusekernel;

/**
 * Numbers copied from the kernel's {@code include/uapi/linux/fuse.h} (7.41) and
 * {@code asm-generic/errno-base.h}, independently of {@link Protocol}, so that a wrong
 * constant in the binding shows up as a failing test.
 */
final class FuseH {
  // enum fuse_opcode
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
  static final int GETLK = 31;
  static final int ACCESS = 34;
  static final int CREATE = 35;
  static final int INTERRUPT = 36;
  static final int DESTROY = 38;
  static final int BATCH_FORGET = 42;
  static final int FALLOCATE = 43;
  static final int READDIRPLUS = 44;
  static final int RENAME2 = 45;
  static final int LSEEK = 46;
  static final int STATX = 52;

  // fuse_init_in.flags / flags2 (flags2 as bits 32..63)
  static final long ASYNC_READ = 1L << 0;
  static final long POSIX_LOCKS = 1L << 1;
  static final long ATOMIC_O_TRUNC = 1L << 3;
  static final long EXPORT_SUPPORT = 1L << 4;
  static final long BIG_WRITES = 1L << 5;
  static final long DONT_MASK = 1L << 6;
  static final long SPLICE_WRITE = 1L << 7;
  static final long FLOCK_LOCKS = 1L << 10;
  static final long AUTO_INVAL_DATA = 1L << 12;
  static final long DO_READDIRPLUS = 1L << 13;
  static final long READDIRPLUS_AUTO = 1L << 14;
  static final long ASYNC_DIO = 1L << 15;
  static final long WRITEBACK_CACHE = 1L << 16;
  static final long NO_OPEN_SUPPORT = 1L << 17;
  static final long PARALLEL_DIROPS = 1L << 18;
  static final long HANDLE_KILLPRIV = 1L << 19;
  static final long POSIX_ACL = 1L << 20;
  static final long ABORT_ERROR = 1L << 21;
  static final long MAX_PAGES = 1L << 22;
  static final long CACHE_SYMLINKS = 1L << 23;
  static final long NO_OPENDIR_SUPPORT = 1L << 24;
  static final long EXPLICIT_INVAL_DATA = 1L << 25;
  static final long HANDLE_KILLPRIV_V2 = 1L << 28;
  static final long SETXATTR_EXT = 1L << 29;
  static final long INIT_EXT = 1L << 30;
  static final long SECURITY_CTX = 1L << 32;
  static final long CREATE_SUPP_GROUP = 1L << 34;
  static final long PASSTHROUGH = 1L << 37;
  static final long OVER_IO_URING = 1L << 41; // 7.42

  static final int GETATTR_FH = 1;
  static final int FSYNC_FDATASYNC = 1;
  static final int FUSE_WRITE_CACHE = 1;
  static final int FUSE_WRITE_KILL_SUIDGID = 1 << 2;
  static final int FUSE_OPEN_KILL_SUIDGID = 1;
  static final int FUSE_READ_LOCKOWNER = 2;
  static final int FUSE_RELEASE_FLUSH = 1;

  // FATTR_*
  static final int FATTR_MODE = 1;
  static final int FATTR_UID = 1 << 1;
  static final int FATTR_GID = 1 << 2;
  static final int FATTR_SIZE = 1 << 3;
  static final int FATTR_ATIME = 1 << 4;
  static final int FATTR_MTIME = 1 << 5;
  static final int FATTR_FH = 1 << 6;
  static final int FATTR_LOCKOWNER = 1 << 9;
  static final int FATTR_KILL_SUIDGID = 1 << 11;

  // FOPEN_*
  static final int FOPEN_KEEP_CACHE = 1 << 1;
  static final int FOPEN_PASSTHROUGH = 1 << 7;

  // enum fuse_notify_code
  static final int NOTIFY_INVAL_INODE = 2;
  static final int NOTIFY_INVAL_ENTRY = 3;

  // struct sizes
  static final int IN_HEADER = 40;
  static final int OUT_HEADER = 16;
  static final int ATTR = 88;
  static final int ENTRY_OUT = 40 + ATTR;
  static final int ATTR_OUT = 16 + ATTR;
  static final int OPEN_OUT = 16;
  static final int INIT_OUT = 64;
  static final int STATFS_OUT = 80;
  static final int DIRENT_NAME_OFFSET = 24;
  static final int FUSE_MIN_READ_BUFFER = 8192;

  // struct fuse_uring_req_header (7.42, Linux 6.14): in_out[128], op_in[128], then struct
  // fuse_uring_ent_in_out { flags, commit_id, payload_sz, padding, reserved }
  static final int URING_HEADER = 288;
  static final int URING_OP_IN = 128;
  static final int URING_COMMIT_ID = 264;
  static final int URING_PAYLOAD_SZ = 272;

  // ioctls: _IOW(FUSE_DEV_IOC_MAGIC, nr, type), FUSE_DEV_IOC_MAGIC 229
  static final long DEV_IOC_BACKING_OPEN = iow(229, 1, 16); // struct fuse_backing_map
  static final long DEV_IOC_BACKING_CLOSE = iow(229, 2, 4); // uint32_t

  // errno-base.h
  static final int ENOENT = 2;
  static final int EIO = 5;
  static final int EPERM = 1;
  static final int EEXIST = 17;
  static final int ENODEV = 19;
  static final int EINVAL = 22;
  static final int ERANGE = 34;
  static final int ENOSYS = 38;
  static final int ENODATA = 61;
  static final int EPROTO = 71;

  /** asm-generic/ioctl.h: dir 1 (write) at bit 30, size at 16, type at 8, nr at 0. */
  private static long iow(int type, int nr, int size) {
    return (1L << 30) | ((long) size << 16) | ((long) type << 8) | nr;
  }

  private FuseH() {}
}
