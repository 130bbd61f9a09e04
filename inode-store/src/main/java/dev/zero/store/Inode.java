package dev.zero.store;

/**
 * An inode's attributes. Immutable: every change makes a new value.
 *
 * @param parent for a directory, the directory that holds its one name (the root holds itself);
 *     0 for every other type, which may have many names
 */
public record Inode(
    long ino,
    int mode,
    int uid,
    int gid,
    int nlink,
    long size,
    long rdev,
    Timespec atime,
    Timespec mtime,
    Timespec ctime,
    long parent) {

  public boolean isDirectory() {
    return FileMode.isDirectory(mode);
  }

  public boolean isRegular() {
    return FileMode.isRegular(mode);
  }

  public boolean isSymlink() {
    return FileMode.isSymlink(mode);
  }

  public int type() {
    return FileMode.type(mode);
  }

  public Inode withMode(int newMode, Timespec now) {
    return new Inode(ino, newMode, uid, gid, nlink, size, rdev, atime, mtime, now, parent);
  }

  public Inode withOwner(int newUid, int newGid, Timespec now) {
    return new Inode(ino, mode, newUid, newGid, nlink, size, rdev, atime, mtime, now, parent);
  }

  public Inode withNlink(int newNlink, Timespec now) {
    return new Inode(ino, mode, uid, gid, newNlink, size, rdev, atime, mtime, now, parent);
  }

  /** A content change: size and mtime, and so ctime. */
  public Inode withContent(long newSize, Timespec now) {
    return new Inode(ino, mode, uid, gid, nlink, newSize, rdev, atime, now, now, parent);
  }

  public Inode withTimes(Timespec newAtime, Timespec newMtime, Timespec newCtime) {
    return new Inode(ino, mode, uid, gid, nlink, size, rdev, newAtime, newMtime, newCtime, parent);
  }

  public Inode withParent(long newParent, Timespec now) {
    return new Inode(ino, mode, uid, gid, nlink, size, rdev, atime, mtime, now, newParent);
  }
}
