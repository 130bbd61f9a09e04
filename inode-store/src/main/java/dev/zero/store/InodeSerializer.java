package dev.zero.store;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.mapdb.DataInput2;
import org.mapdb.DataOutput2;
import org.mapdb.Serializer;

/** The on-disk form of an {@link Inode}: a format version, then fixed-width fields. */
final class InodeSerializer implements Serializer<Inode> {
  private static final byte FORMAT = 3;

  @Override
  public void serialize(DataOutput2 out, Inode inode) throws IOException {
    write(out, inode);
  }

  @Override
  public Inode deserialize(DataInput2 in, int available) throws IOException {
    return read(in);
  }

  /** The same form serves MapDB and metadata dumps. */
  static void write(DataOutput out, Inode inode) throws IOException {
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
    out.writeUTF(inode.remote() == null ? "" : inode.remote().key());
    out.writeLong(inode.remote() == null ? 0 : inode.remote().size());
  }

  static Inode read(DataInput in) throws IOException {
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
        remoteCopy(in.readUTF(), in.readLong()));
  }

  private static RemoteCopy remoteCopy(String key, long size) {
    return key.isEmpty() ? null : new RemoteCopy(key, size);
  }

  @Override
  public boolean isTrusted() {
    return true;
  }

  private static void writeTime(DataOutput out, Timespec time) throws IOException {
    out.writeLong(time.sec());
    out.writeInt(time.nsec());
  }

  private static Timespec readTime(DataInput in) throws IOException {
    return new Timespec(in.readLong(), in.readInt());
  }
}
