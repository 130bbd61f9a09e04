package dev.zero.fusekernel;

import java.nio.ByteBuffer;

/** What a SETATTR request changes ({@code struct fuse_setattr_in}): only the fields {@link #valid} names. */
public final class SetAttr {
  public static final int MODE = 1;
  public static final int UID = 1 << 1;
  public static final int GID = 1 << 2;
  public static final int SIZE = 1 << 3;
  public static final int ATIME = 1 << 4;
  public static final int MTIME = 1 << 5;
  public static final int FH = 1 << 6;
  public static final int ATIME_NOW = 1 << 7;
  public static final int MTIME_NOW = 1 << 8;
  /** Setuid and setgid go with this change (see {@link FileSystem#WRITE_KILL_SUIDGID}). */
  public static final int KILL_SUIDGID = 1 << 11;

  public int valid;
  public long fh;
  public long size;
  public long atimeSec;
  public int atimeNsec;
  public long mtimeSec;
  public int mtimeNsec;
  public int mode;
  public int uid;
  public int gid;

  public boolean has(int field) {
    return (valid & field) != 0;
  }

  void decode(ByteBuffer in, int at) {
    valid = in.getInt(at);
    fh = in.getLong(at + 8);
    size = in.getLong(at + 16);
    atimeSec = in.getLong(at + 32);
    mtimeSec = in.getLong(at + 40);
    atimeNsec = in.getInt(at + 56);
    mtimeNsec = in.getInt(at + 60);
    mode = in.getInt(at + 68);
    uid = in.getInt(at + 76);
    gid = in.getInt(at + 80);
  }
}
