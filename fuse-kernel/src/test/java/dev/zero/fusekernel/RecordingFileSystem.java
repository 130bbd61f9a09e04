package dev.zero.fusekernel;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/**
 * A filesystem that writes down every call with its decoded arguments, and answers with
 * canned values chosen so that no two fields of an answer are equal.
 */
class RecordingFileSystem implements FileSystem {
  static final long ENTRY_VALID_NANOS = 1_500_000_000L; // 1 s + 500000000 ns
  static final long ATTR_VALID_NANOS = 2_250_000_000L; // 2 s + 250000000 ns
  static final long GETATTR_VALID_NANOS = 3_000_000_007L; // 3 s + 7 ns
  static final long GENERATION = 77;

  final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  volatile Connection connection;
  byte[] symlinkTarget = "../target/file".getBytes(StandardCharsets.UTF_8);
  byte[] xattrValue = "value-of-xattr".getBytes(StandardCharsets.UTF_8);
  byte[] xattrNames = "user.a\0user.bb\0".getBytes(StandardCharsets.UTF_8);
  byte[] content = "the content of the file".getBytes(StandardCharsets.UTF_8);
  byte[] written;
  int writeAnswer = -1; // -1: all the bytes handed in
  /** The directory READDIR lists. */
  List<Dirent> directory = List.of();

  record Dirent(String name, long ino, int mode) {}

  /** The attributes answered for {@code ino}: every field different. */
  static void fillAttr(Attr attr, long ino, int mode) {
    attr.ino = ino;
    attr.size = 0x0102030405L;
    attr.blocks = 0x0a0bL;
    attr.atimeSec = 1_700_000_001L;
    attr.mtimeSec = 1_700_000_002L;
    attr.ctimeSec = 1_700_000_003L;
    attr.atimeNsec = 111;
    attr.mtimeNsec = 222;
    attr.ctimeNsec = 333;
    attr.mode = mode;
    attr.nlink = 3;
    attr.uid = 501;
    attr.gid = 502;
    attr.rdev = 0x0801;
    attr.blksize = 4096;
  }

  static void fillEntry(Entry entry, long nodeId, int mode) {
    entry.nodeId = nodeId;
    entry.generation = GENERATION;
    entry.entryValidNanos = ENTRY_VALID_NANOS;
    entry.attrValidNanos = ATTR_VALID_NANOS;
    fillAttr(entry.attr, nodeId, mode);
  }

  private void record(Request request, String call) {
    calls.add(call + " uid=" + request.uid() + " gid=" + request.gid() + " pid=" + request.pid());
  }

  static String str(byte[] name) {
    return new String(name, StandardCharsets.UTF_8);
  }

  static String oct(int mode) {
    return "0" + Integer.toOctalString(mode);
  }

  static String hex(long value) {
    return "0x" + Long.toHexString(value);
  }

  @Override
  public void init(Connection connection) {
    this.connection = connection;
    calls.add("init passthrough=" + connection.passthrough());
  }

  @Override
  public void lookup(Request request, long parent, byte[] name, Entry entry) throws FuseException {
    record(request, "lookup parent=" + parent + " name=" + str(name));
    fillEntry(entry, 2, 0100644);
  }

  @Override
  public void forget(long nodeId, long lookups) {
    calls.add("forget node=" + nodeId + " lookups=" + lookups);
  }

  @Override
  public long getattr(Request request, long nodeId, long fh, Attr attr) throws FuseException {
    record(request, "getattr node=" + nodeId + " fh=" + fh);
    fillAttr(attr, nodeId, 0100644);
    return GETATTR_VALID_NANOS;
  }

  @Override
  public long setattr(Request request, long nodeId, SetAttr change, Attr attr) throws FuseException {
    record(request, "setattr node=" + nodeId + " valid=" + hex(change.valid) + " fh=" + hex(change.fh)
        + " size=" + hex(change.size) + " atime=" + change.atimeSec + "." + change.atimeNsec
        + " mtime=" + change.mtimeSec + "." + change.mtimeNsec + " mode=" + oct(change.mode)
        + " owner=" + change.uid + " group=" + change.gid);
    fillAttr(attr, nodeId, 0100600);
    return ATTR_VALID_NANOS;
  }

  @Override
  public byte[] readlink(Request request, long nodeId) throws FuseException {
    record(request, "readlink node=" + nodeId);
    return symlinkTarget;
  }

  @Override
  public void mknod(Request request, long parent, byte[] name, int mode, int rdev, int umask, Entry entry) throws FuseException {
    record(request, "mknod parent=" + parent + " name=" + str(name) + " mode=" + oct(mode) + " rdev=" + hex(rdev)
        + " umask=" + oct(umask));
    fillEntry(entry, 3, mode);
  }

  @Override
  public void mkdir(Request request, long parent, byte[] name, int mode, int umask, Entry entry) throws FuseException {
    record(request, "mkdir parent=" + parent + " name=" + str(name) + " mode=" + oct(mode) + " umask=" + oct(umask));
    fillEntry(entry, 4, 040000 | mode);
  }

  @Override
  public void symlink(Request request, long parent, byte[] name, byte[] target, Entry entry) throws FuseException {
    record(request, "symlink parent=" + parent + " name=" + str(name) + " target=" + str(target));
    fillEntry(entry, 5, 0120777);
  }

  @Override
  public void unlink(Request request, long parent, byte[] name) throws FuseException {
    record(request, "unlink parent=" + parent + " name=" + str(name));
  }

  @Override
  public void rmdir(Request request, long parent, byte[] name) throws FuseException {
    record(request, "rmdir parent=" + parent + " name=" + str(name));
  }

  @Override
  public void rename(Request request, long parent, byte[] name, long newParent, byte[] newName, int flags) throws FuseException {
    record(request, "rename parent=" + parent + " name=" + str(name) + " newParent=" + newParent + " newName="
        + str(newName) + " flags=" + flags);
  }

  @Override
  public void link(Request request, long nodeId, long newParent, byte[] newName, Entry entry) throws FuseException {
    record(request, "link node=" + nodeId + " newParent=" + newParent + " newName=" + str(newName));
    fillEntry(entry, nodeId, 0100644);
  }

  @Override
  public void open(Request request, long nodeId, int flags, int openFlags, Opened opened) throws FuseException {
    record(request, "open node=" + nodeId + " flags=" + oct(flags) + " openFlags=" + openFlags);
    opened.fh = 0x1122334455667788L;
    opened.flags = Opened.KEEP_CACHE | Opened.PASSTHROUGH;
    opened.backingId = 9;
  }

  @Override
  public void create(Request request, long parent, byte[] name, int flags, int openFlags, int mode, int umask,
      Entry entry, Opened opened) throws FuseException {
    record(request, "create parent=" + parent + " name=" + str(name) + " flags=" + oct(flags) + " openFlags=" + openFlags
        + " mode=" + oct(mode) + " umask=" + oct(umask));
    fillEntry(entry, 6, mode);
    opened.fh = 0x66;
    opened.flags = Opened.DIRECT_IO;
    opened.backingId = 0;
  }

  @Override
  public int read(Request request, long nodeId, long fh, long offset, int size, ByteBuffer into) throws FuseException {
    record(request, "read node=" + nodeId + " fh=" + hex(fh) + " offset=" + offset + " size=" + size + " room="
        + into.remaining());
    int length = (int) Math.max(0, Math.min(size, content.length - offset));
    if (length > 0) {
      into.put(content, (int) offset, length);
    }
    return length;
  }

  @Override
  public int write(Request request, long nodeId, long fh, long offset, ByteBuffer data, int writeFlags) throws FuseException {
    record(request, "write node=" + nodeId + " fh=" + hex(fh) + " offset=" + offset + " bytes=" + data.remaining()
        + " writeFlags=" + writeFlags);
    written = new byte[data.remaining()];
    data.get(written);
    return writeAnswer < 0 ? written.length : writeAnswer;
  }

  @Override
  public void flush(Request request, long nodeId, long fh) throws FuseException {
    record(request, "flush node=" + nodeId + " fh=" + hex(fh));
  }

  @Override
  public void fsync(Request request, long nodeId, long fh, boolean dataOnly) throws FuseException {
    record(request, "fsync node=" + nodeId + " fh=" + hex(fh) + " dataOnly=" + dataOnly);
  }

  @Override
  public void release(Request request, long nodeId, long fh, int flags) {
    record(request, "release node=" + nodeId + " fh=" + hex(fh) + " flags=" + oct(flags));
  }

  @Override
  public void fallocate(Request request, long nodeId, long fh, long offset, long length, int mode) throws FuseException {
    record(request, "fallocate node=" + nodeId + " fh=" + hex(fh) + " offset=" + offset + " length=" + length
        + " mode=" + mode);
  }

  @Override
  public void opendir(Request request, long nodeId, int flags, Opened opened) throws FuseException {
    record(request, "opendir node=" + nodeId + " flags=" + oct(flags));
    opened.fh = 0xd1;
    opened.flags = Opened.CACHE_DIR;
  }

  @Override
  public void readdir(Request request, long nodeId, long fh, long offset, DirectoryListing listing) throws FuseException {
    StringBuilder added = new StringBuilder();
    for (int i = (int) offset; i < directory.size(); i++) {
      byte[] name = directory.get(i).name().getBytes(StandardCharsets.UTF_8);
      long ino = directory.get(i).ino();
      int mode = directory.get(i).mode();
      boolean fits;
      if (listing.plus()) {
        Entry entry = listing.entry();
        fillEntry(entry, ino, mode);
        fits = listing.addPlus(name, i + 1);
      } else {
        fits = listing.add(name, ino, mode, i + 1);
      }
      if (!fits) {
        break;
      }
      added.append(' ').append(str(name));
    }
    record(request, "readdir node=" + nodeId + " fh=" + hex(fh) + " offset=" + offset + " plus=" + listing.plus()
        + " added=[" + added.toString().trim() + "]");
  }

  @Override
  public void releasedir(Request request, long nodeId, long fh) {
    record(request, "releasedir node=" + nodeId + " fh=" + hex(fh));
  }

  @Override
  public void fsyncdir(Request request, long nodeId, long fh, boolean dataOnly) throws FuseException {
    record(request, "fsyncdir node=" + nodeId + " fh=" + hex(fh) + " dataOnly=" + dataOnly);
  }

  @Override
  public void statfs(Request request, long nodeId, Statfs statfs) throws FuseException {
    record(request, "statfs node=" + nodeId);
    statfs.blocks = 1001;
    statfs.blocksFree = 1002;
    statfs.blocksAvailable = 1003;
    statfs.files = 1004;
    statfs.filesFree = 1005;
    statfs.blockSize = 4096;
    statfs.nameMax = 255;
    statfs.fragmentSize = 512;
  }

  @Override
  public void setxattr(Request request, long nodeId, byte[] name, byte[] value, int flags) throws FuseException {
    record(request, "setxattr node=" + nodeId + " name=" + str(name) + " value=" + HexFormat.of().formatHex(value)
        + " flags=" + flags);
  }

  @Override
  public byte[] getxattr(Request request, long nodeId, byte[] name) throws FuseException {
    record(request, "getxattr node=" + nodeId + " name=" + str(name));
    return xattrValue;
  }

  @Override
  public byte[] listxattr(Request request, long nodeId) throws FuseException {
    record(request, "listxattr node=" + nodeId);
    return xattrNames;
  }

  @Override
  public void removexattr(Request request, long nodeId, byte[] name) throws FuseException {
    record(request, "removexattr node=" + nodeId + " name=" + str(name));
  }

  @Override
  public void destroy() {
    calls.add("destroy");
  }

  List<String> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }

  /** The calls after init. */
  List<String> requests() {
    List<String> all = calls();
    return all.isEmpty() || !all.get(0).startsWith("init") ? all : all.subList(1, all.size());
  }
}
