package dev.zero.fusekernel;

/** The errno values the binding itself answers with (asm-generic/errno-base.h). */
final class Errors {
  static final int ENOENT = 2;
  static final int EIO = 5;
  static final int EAGAIN = 11;
  static final int EINVAL = 22;
  static final int ERANGE = 34;
  static final int ENOSYS = 38;
  static final int EPROTO = 71;
  static final int ENODEV = 19;
  static final int EINTR = 4;
  static final int ENOTCONN = 107;

  private Errors() {}
}
