package dev.zero.store;

/** The file-type and permission bits of st_mode, as Linux defines them. */
public final class FileMode {
  public static final int S_IFMT = 0170000;
  public static final int S_IFSOCK = 0140000;
  public static final int S_IFLNK = 0120000;
  public static final int S_IFREG = 0100000;
  public static final int S_IFBLK = 0060000;
  public static final int S_IFDIR = 0040000;
  public static final int S_IFCHR = 0020000;
  public static final int S_IFIFO = 0010000;
  /** Permission bits plus set-user-ID, set-group-ID and sticky. */
  public static final int PERMISSIONS = 07777;
  public static final int S_ISUID = 04000;
  public static final int S_ISGID = 02000;
  public static final int S_IXGRP = 00010;

  private FileMode() {}

  public static int type(int mode) {
    return mode & S_IFMT;
  }

  public static boolean isDirectory(int mode) {
    return type(mode) == S_IFDIR;
  }

  public static boolean isRegular(int mode) {
    return type(mode) == S_IFREG;
  }

  public static boolean isSymlink(int mode) {
    return type(mode) == S_IFLNK;
  }
}
