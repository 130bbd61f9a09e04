package dev.zero.fusekernel;

import java.nio.ByteBuffer;

/**
 * The reply to one READDIR or READDIRPLUS request being filled: entries go into the reply
 * buffer until the size the kernel asked for is reached.
 */
public final class DirectoryListing {
  private ByteBuffer out;
  private int limit;
  private boolean plus;
  private final Entry entry = new Entry();

  void start(ByteBuffer out, int size, boolean plus) {
    this.out = out;
    this.limit = out.position() + size;
    this.plus = plus;
  }

  /** Whether the kernel asked for attributes too (READDIRPLUS): then use {@link #entry()} and {@link #addPlus}. */
  public boolean plus() {
    return plus;
  }

  /** The entry to fill for {@link #addPlus}. */
  public Entry entry() {
    entry.clear();
    return entry;
  }

  /**
   * Adds a name; false if it does not fit, and then nothing was added. {@code nextOffset} is
   * what the kernel passes back to continue after this entry; {@code mode} only needs its type.
   */
  public boolean add(byte[] name, long ino, int mode, long nextOffset) {
    int length = Protocol.DIRENT + Protocol.align8(name.length);
    if (out.position() + length > limit) {
      return false;
    }
    putDirent(name, ino, mode, nextOffset);
    return true;
  }

  /**
   * Adds a name with its entry ({@link #entry()}, filled by the caller; node id 0 for "." and
   * ".."); false if it does not fit. When it returns true the kernel counts one lookup of the
   * node, as for {@link FileSystem#lookup}.
   */
  public boolean addPlus(byte[] name, long nextOffset) {
    int length = Protocol.ENTRY_OUT + Protocol.DIRENT + Protocol.align8(name.length);
    if (out.position() + length > limit) {
      return false;
    }
    entry.encode(out);
    putDirent(name, entry.attr.ino, entry.attr.mode, nextOffset);
    return true;
  }

  private void putDirent(byte[] name, long ino, int mode, long nextOffset) {
    out.putLong(ino).putLong(nextOffset).putInt(name.length).putInt((mode >>> 12) & 0xf);
    out.put(name);
    for (int pad = Protocol.align8(name.length) - name.length; pad > 0; pad--) {
      out.put((byte) 0);
    }
  }
}
