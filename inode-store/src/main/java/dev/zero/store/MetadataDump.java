package dev.zero.store;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UTFDataFormatException;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * The portable form of a store's metadata: what a backup in the remote holds and a restore
 * loads. Gzip around a stream of records: a header, every inode, directory entry, symlink target
 * and xattr, an end record with the count of records, and (from version 2) a SHA-256 of all that.
 * The SHA-256 is Zero's own check: gzip's CRC is only read if the stream is read to its very end,
 * and a dump recompressed after damage, or cut and its remote length and SHA-1 made to match,
 * passes every check but this one. Version 1 dumps (no SHA-256) are still read.
 */
final class MetadataDump {
  private static final String MAGIC = "zero-metadata-dump";
  private static final int VERSION = 2;
  private static final int WITHOUT_CHECKSUM = 1;
  private static final byte INODE = 'I';
  private static final byte ENTRY = 'D';
  private static final byte SYMLINK = 'S';
  private static final byte XATTR = 'X';
  private static final byte END = 'E';
  /** Linux's limit for one xattr value: a longer one is a damaged length, not a value. */
  private static final int MAX_XATTR_BYTES = 64 << 10;

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
    DigestOutputStream digest = new DigestOutputStream(gzip, sha256());
    DataOutputStream out = new DataOutputStream(digest);
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
    gzip.write(digest.getMessageDigest().digest());
    gzip.finish();
    return records;
  }

  /**
   * Reads a whole dump into {@code loader}, checking it as it goes; a dump that is not exactly
   * what {@link #write} wrote is a {@link DamagedDumpException}, possibly after some records
   * reached the loader.
   */
  static void read(InputStream raw, Loader loader) throws IOException {
    try {
      readRecords(raw, loader);
    } catch (EOFException e) {
      throw new DamagedDumpException("it ends early");
    } catch (ZipException | UTFDataFormatException e) {
      throw new DamagedDumpException("its bytes are garbled (" + e.getMessage() + ")");
    }
  }

  private static void readRecords(InputStream raw, Loader loader) throws IOException {
    GZIPInputStream gzip = new GZIPInputStream(raw, 1 << 16);
    DigestInputStream digest = new DigestInputStream(gzip, sha256());
    DataInputStream in = new DataInputStream(digest);
    if (!MAGIC.equals(in.readUTF())) {
      throw new DamagedDumpException("it is not a Zero metadata dump");
    }
    int version = in.readInt();
    if (version != VERSION && version != WITHOUT_CHECKSUM) {
      throw new DamagedDumpException("it says metadata dump version " + version + ", and this Zero reads versions "
          + WITHOUT_CHECKSUM + " and " + VERSION);
    }
    loader.lastIno(in.readLong());
    long records = 0;
    for (byte type = in.readByte(); type != END; type = in.readByte(), records++) {
      switch (type) {
        case INODE -> loader.inode(inode(in));
        case ENTRY -> loader.entry(in.readLong(), in.readUTF(), in.readLong());
        case SYMLINK -> loader.symlink(in.readLong(), in.readUTF());
        case XATTR -> {
          long ino = in.readLong();
          String name = in.readUTF();
          int length = in.readInt();
          if (length < 0 || length > MAX_XATTR_BYTES) {
            throw new DamagedDumpException("it holds an xattr of " + length + " bytes");
          }
          byte[] value = new byte[length];
          in.readFully(value);
          loader.xattr(ino, name, value);
        }
        default -> throw new DamagedDumpException("it holds a record of unknown type " + type);
      }
    }
    long declared = in.readLong();
    if (declared != records) {
      throw new DamagedDumpException("it declares " + declared + " records but holds " + records);
    }
    if (version == VERSION) {
      byte[] computed = digest.getMessageDigest().digest();
      digest.on(false);
      byte[] written = new byte[computed.length];
      in.readFully(written);
      if (!Arrays.equals(written, computed)) {
        throw new DamagedDumpException("its SHA-256 does not match its records");
      }
    }
    // Reading to the end makes gzip check its CRC and length, and catches bytes after the end.
    if (in.read() != -1) {
      throw new DamagedDumpException("it goes on after its end record");
    }
  }

  private static Inode inode(DataInputStream in) throws IOException {
    try {
      return InodeSerializer.read(in);
    } catch (EOFException | ZipException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new DamagedDumpException("it holds a garbled inode record (" + e.getMessage() + ")");
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
