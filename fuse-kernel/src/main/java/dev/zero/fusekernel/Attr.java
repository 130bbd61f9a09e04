package dev.zero.fusekernel;

import java.nio.ByteBuffer;

/**
 * A node's attributes as the kernel's {@code struct fuse_attr} carries them. Mutable and owned
 * by one request thread, so that answering a request makes no garbage.
 */
public final class Attr {
  public long ino;
  public long size;
  /** 512-byte blocks. */
  public long blocks;
  public long atimeSec;
  public int atimeNsec;
  public long mtimeSec;
  public int mtimeNsec;
  public long ctimeSec;
  public int ctimeNsec;
  public int mode;
  public int nlink;
  public int uid;
  public int gid;
  public int rdev;
  public int blksize;

  void clear() {
    ino = size = blocks = atimeSec = mtimeSec = ctimeSec = 0;
    atimeNsec = mtimeNsec = ctimeNsec = mode = nlink = uid = gid = rdev = blksize = 0;
  }

  /** Writes {@code struct fuse_attr} at the buffer's position. */
  void encode(ByteBuffer out) {
    out.putLong(ino).putLong(size).putLong(blocks);
    out.putLong(atimeSec).putLong(mtimeSec).putLong(ctimeSec);
    out.putInt(atimeNsec).putInt(mtimeNsec).putInt(ctimeNsec);
    out.putInt(mode).putInt(nlink).putInt(uid).putInt(gid).putInt(rdev).putInt(blksize);
    out.putInt(0); // flags: no submount, no DAX
  }
}
