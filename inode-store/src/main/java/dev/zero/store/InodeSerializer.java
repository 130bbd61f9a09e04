package dev.zero.store;

import java.io.IOException;
import org.mapdb.DataInput2;
import org.mapdb.DataOutput2;
import org.mapdb.Serializer;

/** The on-disk form of an {@link Inode}: a format version, then fixed-width fields. */
final class InodeSerializer implements Serializer<Inode> {
  private static final byte FORMAT = 2;

  @Override
  public void serialize(DataOutput2 out, Inode inode) throws IOException {
    out.writeByte(FORMAT);
    out.writeLong(inode.ino());
    out.writeInt(inode.mode());
    out.writeInt(inode.uid());
    out.writeInt(inode.gid());
    out.writeInt(inode.nlink());
    out.writeLong(inode.size());
    out.writeLong(inode.rdev());
    writeTime(out, inode.atime());
    writeTime(out, inode.mtime());
    writeTime(out, inode.ctime());
    out.writeLong(inode.parent());
    out.writeByte(inode.content().ordinal());
    out.writeUTF(inode.remoteKey() == null ? "" : inode.remoteKey());
  }

  @Override
  public Inode deserialize(DataInput2 in, int available) throws IOException {
    byte format = in.readByte();
    if (format != FORMAT) {
      throw new IOException("inode record has format " + format + ", this Zero reads " + FORMAT);
    }
    return new Inode(
        in.readLong(),
        in.readInt(),
        in.readInt(),
        in.readInt(),
        in.readInt(),
        in.readLong(),
        in.readLong(),
        readTime(in),
        readTime(in),
        readTime(in),
        in.readLong(),
        ContentState.values()[in.readByte()],
        emptyToNull(in.readUTF()));
  }

  private static String emptyToNull(String key) {
    return key.isEmpty() ? null : key;
  }

  @Override
  public boolean isTrusted() {
    return true;
  }

  private static void writeTime(DataOutput2 out, Timespec time) throws IOException {
    out.writeLong(time.sec());
    out.writeInt(time.nsec());
  }

  private static Timespec readTime(DataInput2 in) throws IOException {
    return new Timespec(in.readLong(), in.readInt());
  }
}
