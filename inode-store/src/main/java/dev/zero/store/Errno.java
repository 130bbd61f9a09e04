package dev.zero.store;

/** The Linux errno values the store decides on. The adapter hands them to the kernel negated. */
public enum Errno {
  EPERM(1),
  ENOENT(2),
  EIO(5),
  E2BIG(7),
  EBADF(9),
  ENOMEM(12),
  EACCES(13),
  EBUSY(16),
  EEXIST(17),
  ENODEV(19),
  ENOTDIR(20),
  EISDIR(21),
  EINVAL(22),
  EFBIG(27),
  ENOSPC(28),
  EMLINK(31),
  ERANGE(34),
  ENAMETOOLONG(36),
  ENOTEMPTY(39),
  ENODATA(61),
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

  /** The value for a code a system call failed with; one the store never decides on is EIO. */
  static Errno ofCode(int code) {
    for (Errno errno : values()) {
      if (errno.code == code) {
        return errno;
      }
    }
    return EIO;
  }
}
