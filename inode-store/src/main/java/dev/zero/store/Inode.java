package dev.zero.store;

/**
 * An inode's attributes. Immutable: every change makes a new value.
 *
 * @param parent for a directory, the directory that holds its one name (the root holds itself);
 *     0 for every other type, which may have many names
 * @param content where a regular file's content is
 * @param remote the remote object holding this file's content as last uploaded, or null
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
    long parent,
    ContentState content,
    RemoteCopy remote) {

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
    return new Inode(ino, newMode, uid, gid, nlink, size, rdev, atime, mtime, now, parent, content, remote);
  }

  public Inode withOwner(int newUid, int newGid, Timespec now) {
    return new Inode(ino, mode, newUid, newGid, nlink, size, rdev, atime, mtime, now, parent, content, remote);
  }

  public Inode withNlink(int newNlink, Timespec now) {
    return new Inode(ino, mode, uid, gid, newNlink, size, rdev, atime, mtime, now, parent, content, remote);
  }

  /** A change of the bytes: size and mtime, and so ctime; the local copy is now the newest. */
  public Inode withData(long newSize, Timespec now) {
    return new Inode(ino, mode, uid, gid, nlink, newSize, rdev, atime, now, now, parent, ContentState.LOCAL_DIRTY, remote);
  }

  public Inode withTimes(Timespec newAtime, Timespec newMtime, Timespec newCtime) {
    return new Inode(ino, mode, uid, gid, nlink, size, rdev, newAtime, newMtime, newCtime, parent, content, remote);
  }

  public Inode withParent(long newParent, Timespec now) {
    return new Inode(ino, mode, uid, gid, nlink, size, rdev, atime, mtime, now, newParent, content, remote);
  }

  /** Tiering moved the content: no attribute a user sees changes. */
  public Inode withContentState(ContentState newContent, RemoteCopy newRemote) {
    return new Inode(ino, mode, uid, gid, nlink, size, rdev, atime, mtime, ctime, parent, newContent, newRemote);
  }

  /** The key of the remote copy, or null. */
  public String remoteKey() {
    return remote == null ? null : remote.key();
  }
}
