package dev.zero.store;

/**
 * The Linux errno values the store decides on, and those a system call on a content file may
 * fail with. The adapter hands them to the kernel negated.
 */
public enum Errno {
  EPERM(1),
  ENOENT(2),
  EINTR(4),
  EIO(5),
  E2BIG(7),
  EBADF(9),
  EAGAIN(11),
  ENOMEM(12),
  EACCES(13),
  EBUSY(16),
  EEXIST(17),
  ENODEV(19),
  ENOTDIR(20),
  EISDIR(21),
  EINVAL(22),
  ENFILE(23),
  EMFILE(24),
  ETXTBSY(26),
  EFBIG(27),
  ENOSPC(28),
  EROFS(30),
  EMLINK(31),
  ERANGE(34),
  ENAMETOOLONG(36),
  ENOTEMPTY(39),
  ENODATA(61),
  EOVERFLOW(75),
  EILSEQ(84),
  EOPNOTSUPP(95),
  EDQUOT(122);

  private final int code;

  Errno(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The value for a code a system call on a content file failed with; one not listed here is EIO. */
  static Errno ofCode(int code) {
    for (Errno errno : values()) {
      if (errno.code == code) {
        return errno;
      }
    }
    return EIO;
  }
}
