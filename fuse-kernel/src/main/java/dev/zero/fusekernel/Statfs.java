package dev.zero.fusekernel;

import java.nio.ByteBuffer;

/** The answer to statfs: {@code struct fuse_kstatfs}. */
public final class Statfs {
  public long blocks;
  public long blocksFree;
  public long blocksAvailable;
  public long files;
  public long filesFree;
  public int blockSize;
  public int nameMax;
  public int fragmentSize;

  void encode(ByteBuffer out) {
    out.putLong(blocks).putLong(blocksFree).putLong(blocksAvailable).putLong(files).putLong(filesFree);
    out.putInt(blockSize).putInt(nameMax).putInt(fragmentSize).putInt(0);
    for (int spare = 0; spare < 6; spare++) {
      out.putInt(0);
    }
  }
}
