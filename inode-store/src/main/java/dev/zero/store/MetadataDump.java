package dev.zero.store;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The portable form of a store's metadata: what a backup in the remote holds and a restore
 * loads. Gzip (whose CRC catches a damaged file) around a stream of records: a header, every
 * inode, directory entry, symlink target and xattr, and an end record with the count of records.
 */
final class MetadataDump {
  private static final String MAGIC = "zero-metadata-dump";
  private static final int VERSION = 1;
  private static final byte INODE = 'I';
  private static final byte ENTRY = 'D';
  private static final byte SYMLINK = 'S';
  private static final byte XATTR = 'X';
  private static final byte END = 'E';

  /** Receives a dump's records as they are read; each kind it does not need, it ignores. */
  interface Loader {
    default void lastIno(long lastIno) {}

    void inode(Inode inode);

    default void entry(long parent, String name, long child) {}

    default void symlink(long ino, String target) {}

    default void xattr(long ino, String name, byte[] value) {}
  }

  private MetadataDump() {}

  /** Writes the inodes that have names (not orphans) and everything that hangs off them. */
  static long write(OutputStream raw, long lastIno, Map<Long, Inode> inodes, Map<Object[], Long> dentries,
      Map<Long, String> symlinks, Map<Object[], byte[]> xattrs) throws IOException {
    GZIPOutputStream gzip = new GZIPOutputStream(raw, 1 << 16);
    DataOutputStream out = new DataOutputStream(gzip);
    out.writeUTF(MAGIC);
    out.writeInt(VERSION);
    out.writeLong(lastIno);
    long records = 0;
    for (Inode inode : inodes.values()) {
      if (inode.nlink() > 0) {
        out.writeByte(INODE);
        InodeSerializer.write(out, inode);
        records++;
      }
    }
    for (Map.Entry<Object[], Long> entry : dentries.entrySet()) {
      out.writeByte(ENTRY);
      out.writeLong((Long) entry.getKey()[0]);
      out.writeUTF((String) entry.getKey()[1]);
      out.writeLong(entry.getValue());
      records++;
    }
    for (Map.Entry<Long, String> symlink : symlinks.entrySet()) {
      out.writeByte(SYMLINK);
      out.writeLong(symlink.getKey());
      out.writeUTF(symlink.getValue());
      records++;
    }
    for (Map.Entry<Object[], byte[]> xattr : xattrs.entrySet()) {
      Inode owner = inodes.get((Long) xattr.getKey()[0]);
      if (owner != null && owner.nlink() > 0) {
        out.writeByte(XATTR);
        out.writeLong((Long) xattr.getKey()[0]);
        out.writeUTF((String) xattr.getKey()[1]);
        out.writeInt(xattr.getValue().length);
        out.write(xattr.getValue());
        records++;
      }
    }
    out.writeByte(END);
    out.writeLong(records);
    out.flush();
    gzip.finish();
    return records;
  }

  static void read(InputStream raw, Loader loader) throws IOException {
    DataInputStream in = new DataInputStream(new GZIPInputStream(raw, 1 << 16));
    if (!MAGIC.equals(in.readUTF())) {
      throw new IOException("not a Zero metadata dump");
    }
    int version = in.readInt();
    if (version != VERSION) {
      throw new IOException("metadata dump version " + version + ", this Zero reads " + VERSION);
    }
    loader.lastIno(in.readLong());
    long records = 0;
    for (byte type = in.readByte(); type != END; type = in.readByte(), records++) {
      switch (type) {
        case INODE -> loader.inode(InodeSerializer.read(in));
        case ENTRY -> loader.entry(in.readLong(), in.readUTF(), in.readLong());
        case SYMLINK -> loader.symlink(in.readLong(), in.readUTF());
        case XATTR -> {
          long ino = in.readLong();
          String name = in.readUTF();
          byte[] value = new byte[in.readInt()];
          in.readFully(value);
          loader.xattr(ino, name, value);
        }
        default -> throw new IOException("damaged metadata dump: record type " + type);
      }
    }
    if (in.readLong() != records) {
      throw new IOException("damaged metadata dump: the record count does not match");
    }
  }
}
