package dev.zero.fuse;

import dev.zero.fusekernel.Attr;
import dev.zero.fusekernel.Connection;
import dev.zero.fusekernel.DirectoryListing;
import dev.zero.fusekernel.Entry;
import dev.zero.fusekernel.FileSystem;
import dev.zero.fusekernel.FuseException;
import dev.zero.fusekernel.Opened;
import dev.zero.fusekernel.Request;
import dev.zero.fusekernel.SetAttr;
import dev.zero.fusekernel.Statfs;
import dev.zero.store.Caller;
import dev.zero.store.ContentHandle;
import dev.zero.store.ContentStore.ContentFile;
import dev.zero.store.DirEntry;
import dev.zero.store.Errno;
import dev.zero.store.FileMode;
import dev.zero.store.FsException;
import dev.zero.store.FsStats;
import dev.zero.store.Inode;
import dev.zero.store.InodeStore;
import dev.zero.store.Timespec;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The kernel's FUSE requests, in node ids and byte names, as inode-store operations. Node ids
 * are inode numbers, so hard links share one kernel inode and its caches. It decides nothing
 * about POSIX rules: it moves bytes between the kernel's buffers and the cache files, tells the
 * kernel how long it may cache answers (long: every change comes through this mount, and what
 * tiering changes behind its back is invalidated), and hands the store's errno back.
 */
public final class ZeroFileSystem implements FileSystem {
  private static final System.Logger LOG = System.getLogger(ZeroFileSystem.class.getName());
  private static final int O_ACCMODE = 03;
  private static final int O_RDONLY = 0;
  private static final int O_EXCL = 0200;
  private static final int O_TRUNC = 01000;
  private static final int RENAME_NOREPLACE = 1;
  private static final int BLOCK_SIZE = 4096;
  /** Zero allocates inode numbers from a 64-bit counter: report a practically endless supply. */
  private static final long FREE_INODES = 1L << 40;
  /** How long the kernel may trust names and attributes: they change only through this mount. */
  private static final long CACHE_NANOS = TimeUnit.HOURS.toNanos(1);
  private static final byte[] DOT = {'.'};
  private static final byte[] DOT_DOT = {'.', '.'};

  private final InodeStore store;
  /** The size df shows: the remote, not the cache disk, is what limits the files. */
  private final long capacityBytes;
  private final Map<Long, OpenFile> openFiles = new ConcurrentHashMap<>();
  private final DirectoryListings listings = new DirectoryListings();
  private final AtomicLong lastHandle = new AtomicLong();
  private final KernelInodes kernelInodes;
  private volatile KernelIoModes ioModes;

  public ZeroFileSystem(InodeStore store, long capacityBytes) {
    this.store = store;
    this.capacityBytes = capacityBytes;
    this.kernelInodes = new KernelInodes(store);
  }

  @Override
  public void init(Connection connection) {
    ioModes = new KernelIoModes(connection);
    store.onAttributesChanged(connection::invalidateAttributes);
    LOG.log(Level.INFO, connection.passthrough()
        ? "file I/O on local content: kernel passthrough (the kernel reads and writes the cache files itself)"
        : "file I/O on local content: through Zero (passthrough needs root and a kernel of 6.9 or newer)");
  }

  /** A request body; its FsException becomes the errno the kernel gets. */
  private interface Call<T> {
    T run() throws FsException;
  }

  /** A request body that answers nothing but success. */
  private interface Action {
    void run() throws FsException;
  }

  private static void run(Action body) throws FuseException {
    call(() -> {
      body.run();
      return null;
    });
  }

  private static <T> T call(Call<T> body) throws FuseException {
    try {
      return body.run();
    } catch (FsException e) {
      throw new FuseException(e.errno().code(), e.getMessage());
    }
  }

  // ---- names ---------------------------------------------------------------------------------

  @Override
  public void lookup(Request request, long parent, byte[] name, Entry entry) throws FuseException {
    try {
      fill(entry, current(store.lookup(parent, ByteNames.decode(name))));
    } catch (FsException e) {
      if (e.errno() != Errno.ENOENT) {
        throw new FuseException(e.errno().code(), e.getMessage());
      }
      entry.entryValidNanos = CACHE_NANOS; // node id 0: the kernel remembers that the name is absent
    }
  }

  @Override
  public void mknod(Request request, long parent, byte[] name, int mode, int rdev, int umask, Entry entry) throws FuseException {
    fill(entry, call(() -> store.mknod(parent, ByteNames.decode(name), mode, rdev, request.uid(), request.gid())));
  }

  @Override
  public void mkdir(Request request, long parent, byte[] name, int mode, int umask, Entry entry) throws FuseException {
    fill(entry, call(() -> store.mkdir(parent, ByteNames.decode(name), mode, request.uid(), request.gid())));
  }

  @Override
  public void symlink(Request request, long parent, byte[] name, byte[] target, Entry entry) throws FuseException {
    fill(entry, call(() -> store.symlink(parent, ByteNames.decode(name), ByteNames.decode(target), request.uid(), request.gid())));
  }

  @Override
  public byte[] readlink(Request request, long nodeId) throws FuseException {
    return ByteNames.encode(call(() -> store.readlink(nodeId)));
  }

  @Override
  public void link(Request request, long nodeId, long newParent, byte[] newName, Entry entry) throws FuseException {
    fill(entry, call(() -> {
      store.link(nodeId, newParent, ByteNames.decode(newName));
      return current(nodeId); // with what the kernel wrote by passthrough: the reply's size is its size
    }));
  }

  @Override
  public void unlink(Request request, long parent, byte[] name) throws FuseException {
    run(() -> store.unlink(parent, ByteNames.decode(name)));
  }

  @Override
  public void rmdir(Request request, long parent, byte[] name) throws FuseException {
    run(() -> store.rmdir(parent, ByteNames.decode(name)));
  }

  @Override
  public void rename(Request request, long parent, byte[] name, long newParent, byte[] newName, int flags) throws FuseException {
    if ((flags & ~RENAME_NOREPLACE) != 0) {
      throw new FuseException(Errno.EINVAL.code(), "renameat2 flags " + flags + " are not supported");
    }
    run(() -> {
      String from = ByteNames.decode(name);
      String to = ByteNames.decode(newName);
      if ((flags & RENAME_NOREPLACE) != 0) {
        store.renameNoReplace(parent, from, newParent, to);
      } else {
        store.rename(parent, from, newParent, to);
      }
    });
  }

  // ---- attributes ----------------------------------------------------------------------------

  @Override
  public long getattr(Request request, long nodeId, long fh, Attr attr) throws FuseException {
    fill(attr, call(() -> current(nodeId)));
    return CACHE_NANOS;
  }

  /**
   * The inode's attributes as every reply must give them: for a file the kernel may be writing
   * itself (passthrough), its size and mtime are taken from the cache file first, else a lookup
   * of another of its names would set the kernel's inode back to the store's older size.
   */
  private Inode current(long ino) throws FsException {
    KernelIoModes modes = ioModes;
    if (modes != null && modes.writtenByKernel(ino)) {
      return recordKernelWrites(ino);
    }
    return store.getattr(ino);
  }

  /** Takes what the kernel wrote to the cache file by passthrough since last time: its size and mtime. */
  private Inode recordKernelWrites(long ino) throws FsException {
    return orderedWithKernelWrites(ino, () -> {
      ContentFile content = contentFile(ino);
      if (content != null && ioModes.accountWrites(ino, content.mtimeNanos())) {
        long mtime = content.mtimeNanos();
        return store.contentWritten(ino, content.size(), new Timespec(Math.floorDiv(mtime, 1_000_000_000L), (int) Math.floorMod(mtime, 1_000_000_000L)));
      }
      return store.getattr(ino);
    });
  }

  /** Runs {@code body} with no other reading or change of the inode's cache file interleaved, while the kernel writes it. */
  private <T> T orderedWithKernelWrites(long ino, Call<T> body) throws FsException {
    Object lock = ioModes.kernelWriterLock(ino);
    if (lock == null) {
      return body.run();
    }
    synchronized (lock) {
      return body.run();
    }
  }

  private ContentFile contentFile(long ino) {
    try {
      return store.content().stat(ino);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot read the size of the cache file of inode " + ino + ": " + e.getMessage());
      return null;
    }
  }

  private long contentMtime(long ino) {
    ContentFile content = contentFile(ino);
    return content == null ? 0 : content.mtimeNanos();
  }

  @Override
  public long setattr(Request request, long nodeId, SetAttr change, Attr attr) throws FuseException {
    Inode inode = call(() -> orderedWithKernelWrites(nodeId, () -> {
      Inode changed = current(nodeId);
      if (change.has(SetAttr.SIZE)) {
        changed = store.truncate(nodeId, change.size);
      }
      if (change.has(SetAttr.MODE)) {
        changed = store.chmod(nodeId, change.mode);
      }
      if (change.has(SetAttr.UID) || change.has(SetAttr.GID)) {
        changed = store.chown(nodeId, change.has(SetAttr.UID) ? change.uid : -1, change.has(SetAttr.GID) ? change.gid : -1);
      }
      if (change.has(SetAttr.ATIME) || change.has(SetAttr.MTIME)) {
        changed = store.utimens(nodeId,
            time(change, SetAttr.ATIME, SetAttr.ATIME_NOW, change.atimeSec, change.atimeNsec),
            time(change, SetAttr.MTIME, SetAttr.MTIME_NOW, change.mtimeSec, change.mtimeNsec));
      }
      if (change.has(SetAttr.KILL_SUIDGID) && store.dropSetIds(nodeId, caller(request))) {
        changed = current(nodeId);
      }
      if (ioModes.writtenByKernel(nodeId)) {
        ioModes.accountWrites(nodeId, contentMtime(nodeId)); // a truncate here moved it, not the kernel
      }
      return changed;
    }));
    fill(attr, inode);
    return CACHE_NANOS;
  }

  private static Timespec time(SetAttr change, int field, int now, long sec, int nsec) {
    if (!change.has(field)) {
      return new Timespec(0, (int) Timespec.UTIME_OMIT);
    }
    return change.has(now) ? new Timespec(0, (int) Timespec.UTIME_NOW) : new Timespec(sec, nsec);
  }

  @Override
  public void statfs(Request request, long nodeId, Statfs statfs) {
    FsStats stats = store.stats();
    long usedBlocks = (stats.fileBytes() + BLOCK_SIZE - 1) / BLOCK_SIZE;
    long totalBlocks = Math.max(capacityBytes / BLOCK_SIZE, usedBlocks);
    statfs.blockSize = statfs.fragmentSize = BLOCK_SIZE;
    statfs.blocks = totalBlocks;
    statfs.blocksFree = statfs.blocksAvailable = totalBlocks - usedBlocks;
    statfs.files = stats.inodes() + FREE_INODES;
    statfs.filesFree = FREE_INODES;
    statfs.nameMax = 255;
  }

  @Override
  public void forget(long nodeId, long lookups) {
    kernelInodes.forget(nodeId, lookups);
  }

  /** Fills the answer that hands the kernel a reference to {@code inode}, and counts it. */
  private void fill(Entry entry, Inode inode) {
    kernelInodes.lookedUp(inode.ino());
    fillUncounted(entry, inode);
  }

  private void fillUncounted(Entry entry, Inode inode) {
    entry.nodeId = inode.ino();
    entry.entryValidNanos = CACHE_NANOS;
    entry.attrValidNanos = CACHE_NANOS;
    fill(entry.attr, inode);
  }

  private void fill(Attr attr, Inode inode) {
    attr.ino = inode.ino();
    attr.mode = inode.mode();
    attr.nlink = inode.nlink();
    attr.uid = inode.uid();
    attr.gid = inode.gid();
    attr.size = inode.size();
    attr.rdev = (int) inode.rdev();
    attr.blksize = BLOCK_SIZE;
    attr.blocks = store.blocks(inode);
    attr.atimeSec = inode.atime().sec();
    attr.atimeNsec = inode.atime().nsec();
    attr.mtimeSec = inode.mtime().sec();
    attr.mtimeNsec = inode.mtime().nsec();
    attr.ctimeSec = inode.ctime().sec();
    attr.ctimeNsec = inode.ctime().nsec();
  }

  // ---- directories ---------------------------------------------------------------------------

  /**
   * Lists the directory: from {@link DirectoryListings}'s snapshot when the kernel reads it in
   * several requests. Positions: 1 and 2 are after "." and "..", 3 + i after the i-th entry.
   *
   * <p>There is no opendir: the kernel then sends no OPENDIR or RELEASEDIR, and keeps each
   * directory's listing across opens (FOPEN_CACHE_DIR, its default then). Every change of names
   * comes through this mount, and the kernel drops its cached listing of a directory when it
   * changes one of its entries or sees its mtime change. (A listing it serves itself leaves atime
   * alone, as relatime mostly would.)
   */
  @Override
  public void readdir(Request request, long nodeId, long fh, long offset, DirectoryListing listing) throws FuseException {
    if (offset == DirectoryListings.END) {
      return;
    }
    DirectoryListings.Listing snapshot = listings.listing(nodeId, offset, dir -> call(() -> store.readdir(dir)));
    List<DirEntry> entries = snapshot.entries();
    int position = DirectoryListings.position(offset);
    for (int next = position + 1; next <= snapshot.end(); next++) {
      long nextOffset = snapshot.offsetAfter(next);
      boolean added;
      if (next <= 2) {
        byte[] name = next == 1 ? DOT : DOT_DOT;
        added = listing.plus() ? addNameOnly(listing, name, nodeId, FileMode.S_IFDIR, nextOffset) : listing.add(name, nodeId, FileMode.S_IFDIR, nextOffset);
      } else {
        DirEntry entry = entries.get(next - 3);
        byte[] name = ByteNames.encode(entry.name());
        added = listing.plus() ? addPlus(listing, name, entry, nextOffset) : listing.add(name, entry.ino(), entry.type(), nextOffset);
      }
      if (!added) {
        break;
      }
      position = next;
    }
    listings.readUpTo(snapshot, position);
  }

  /**
   * An entry with node id 0: the kernel lists the name, takes no reference and caches nothing
   * (so for "." and "..", and for inodes it holds).
   */
  private static boolean addNameOnly(DirectoryListing listing, byte[] name, long ino, int mode, long next) {
    Entry entry = listing.entry();
    entry.attr.ino = ino; // readdir(3) skips an entry whose d_ino is 0
    entry.attr.mode = mode;
    return listing.addPlus(name, next);
  }

  private boolean addPlus(DirectoryListing listing, byte[] name, DirEntry dirEntry, long next) {
    long ino = dirEntry.ino();
    if (kernelInodes.holds(ino)) {
      // The kernel has this inode, with attributes kept current (every change passes through
      // here, and tiering's are pushed to it), and nearly always its dentry (it got the inode
      // through this name): attributes again would only cost their lookup, fstatat and FORGET.
      return addNameOnly(listing, name, ino, dirEntry.type(), next);
    }
    Entry entry = listing.entry();
    try {
      fillUncounted(entry, current(ino));
    } catch (FsException e) {
      return true; // removed since the snapshot: skipped
    }
    if (!listing.addPlus(name, next)) {
      return false;
    }
    kernelInodes.lookedUp(ino); // the kernel takes a reference for each entry it got
    return true;
  }

  @Override
  public void fsyncdir(Request request, long nodeId, long fh, boolean dataOnly) {
    store.sync();
  }

  // ---- open files ----------------------------------------------------------------------------

  @Override
  public void create(Request request, long parent, byte[] name, int flags, int openFlags, int mode, int umask, Entry entry,
      Opened opened) throws FuseException {
    String decoded = ByteNames.decode(name);
    long ino = call(() -> {
      try {
        return store.mknod(parent, decoded, FileMode.S_IFREG | (mode & ~FileMode.S_IFMT), 0, request.uid(), request.gid()).ino();
      } catch (FsException e) {
        // Another creator won the race: without O_EXCL, open(O_CREAT) opens the existing file.
        if (e.errno() != Errno.EEXIST || (flags & O_EXCL) != 0) {
          throw e;
        }
        long existing = store.lookup(parent, decoded);
        truncateAtOpen(request, existing, flags, openFlags);
        return existing;
      }
    });
    openHandle(ino, flags, opened);
    fill(entry, call(() -> current(ino)));
  }

  @Override
  public void open(Request request, long nodeId, int flags, int openFlags, Opened opened) throws FuseException {
    run(() -> truncateAtOpen(request, nodeId, flags, openFlags)); // before open: nothing to recall then
    openHandle(nodeId, flags, opened);
  }

  /** What open's O_TRUNC does (the kernel leaves it to Zero): the content goes, and set-id bits with it. */
  private void truncateAtOpen(Request request, long ino, int flags, int openFlags) throws FsException {
    if ((flags & O_ACCMODE) == O_RDONLY || (flags & O_TRUNC) == 0) {
      return;
    }
    store.truncate(ino, 0, (openFlags & OPEN_KILL_SUIDGID) != 0 ? caller(request) : null);
  }

  /** The caller, for {@link InodeStore#dropSetIds}: its groups are read only when the rule needs them. */
  private static Caller caller(Request request) {
    return new Caller(request.uid(), gid -> CallerGroups.contain(request, gid));
  }

  private void openHandle(long ino, int flags, Opened opened) throws FuseException {
    boolean writable = (flags & O_ACCMODE) != O_RDONLY;
    ContentHandle content = call(() -> ContentHandle.open(store, ino, writable));
    boolean unwatched;
    try {
      unwatched = content.mayServeUnwatched();
    } catch (FsException e) {
      content.close();
      throw new FuseException(e.errno().code(), e.getMessage());
    }
    int backingId = ioModes.open(ino, content.fd(), unwatched, writable, () -> contentMtime(ino));
    long fh = lastHandle.incrementAndGet();
    openFiles.put(fh, new OpenFile(content, backingId != 0));
    opened.fh = fh;
    if (backingId == 0) {
      // The pages the kernel cached are still good: every write goes through it.
      opened.flags = Opened.KEEP_CACHE;
    } else {
      // Alone: the kernel refuses passthrough with page-cache flags such as KEEP_CACHE (EIO).
      opened.flags = Opened.PASSTHROUGH;
      opened.backingId = backingId;
      if (!writable) {
        content.readDone(); // the kernel reads a passthrough file without telling us
      }
    }
  }

  @Override
  public int read(Request request, long nodeId, long fh, long offset, int size, ByteBuffer into) throws FuseException {
    ContentHandle content = handle(fh).content;
    return call(() -> content.read(offset, size, into));
  }

  @Override
  public int write(Request request, long nodeId, long fh, long offset, ByteBuffer data, int writeFlags) throws FuseException {
    ContentHandle content = handle(fh).content;
    Caller caller = (writeFlags & WRITE_KILL_SUIDGID) != 0 ? caller(request) : null;
    return call(() -> content.write(offset, data, caller));
  }

  @Override
  public void fallocate(Request request, long nodeId, long fh, long offset, long length, int mode) throws FuseException {
    ContentHandle content = handle(fh).content;
    run(() -> content.fallocate(mode, offset, length));
  }

  // No flush: close() is not a durability point in POSIX, and with FLUSH unanswered (ENOSYS) the
  // kernel stops sending it on every close: one request less per file.

  @Override
  public void fsync(Request request, long nodeId, long fh, boolean dataOnly) throws FuseException {
    OpenFile file = handle(fh);
    run(() -> {
      if (file.writtenByKernel()) {
        recordKernelWrites(file.content.ino());
      }
      file.content.sync(dataOnly);
    });
  }

  @Override
  public void release(Request request, long nodeId, long fh, int flags) {
    OpenFile file = openFiles.remove(fh);
    if (file == null) {
      return;
    }
    long ino = file.content.ino();
    if (file.writtenByKernel()) {
      try {
        recordKernelWrites(ino);
      } catch (FsException e) {
        // the inode is gone (unlinked and freed meanwhile): nothing to record
      }
    }
    ioModes.release(ino, file.content.writable());
    file.content.close();
  }

  private OpenFile handle(long fh) throws FuseException {
    OpenFile file = openFiles.get(fh);
    if (file == null) {
      throw new FuseException(Errno.EBADF.code(), "no open file " + fh);
    }
    return file;
  }

  // ---- extended attributes -------------------------------------------------------------------

  @Override
  public void setxattr(Request request, long nodeId, byte[] name, byte[] value, int flags) throws FuseException {
    run(() -> store.setxattr(nodeId, ByteNames.decode(name), value, flags));
  }

  @Override
  public byte[] getxattr(Request request, long nodeId, byte[] name) throws FuseException {
    return call(() -> store.getxattr(nodeId, ByteNames.decode(name)));
  }

  @Override
  public byte[] listxattr(Request request, long nodeId) throws FuseException {
    List<String> names = call(() -> store.listxattr(nodeId));
    ByteBuffer list = ByteBuffer.allocate(names.stream().mapToInt(name -> name.length() * 3 + 1).sum());
    for (String name : names) {
      list.put(ByteNames.encode(name)).put((byte) 0);
    }
    byte[] bytes = new byte[list.position()];
    list.flip().get(bytes);
    return bytes;
  }

  @Override
  public void removexattr(Request request, long nodeId, byte[] name) throws FuseException {
    run(() -> store.removexattr(nodeId, ByteNames.decode(name)));
  }
}
