package dev.zero.fuse;

import dev.zero.store.DirEntry;
import dev.zero.store.Errno;
import dev.zero.store.FileMode;
import dev.zero.store.FsException;
import dev.zero.store.FsStats;
import dev.zero.store.Inode;
import dev.zero.store.InodeStore;
import dev.zero.store.Timespec;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import jnr.ffi.Pointer;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseContext;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;

/**
 * Translates libfuse's path calls into inode-store operations. It decides nothing about POSIX
 * rules: it walks paths to inodes, moves bytes between the FUSE buffers and the cache files, and
 * hands the store's errno back to the kernel.
 */
public final class ZeroFuse extends FuseStubFS {
  private static final System.Logger LOG = System.getLogger(ZeroFuse.class.getName());
  private static final int O_ACCMODE = 03;
  private static final int O_RDONLY = 0;
  private static final int O_APPEND = 02000;
  private static final int O_EXCL = 0200;
  private static final int BLOCK_SIZE = 4096;
  /** Zero allocates inode numbers from a 64-bit counter: report a practically endless supply. */
  private static final long FREE_INODES = 1L << 40;

  private final InodeStore store;
  /** The size df shows: the remote, not the cache disk, is what limits the files. */
  private final long capacityBytes;
  private final Map<Long, OpenFile> openFiles = new ConcurrentHashMap<>();
  private final AtomicLong lastHandle = new AtomicLong();
  private final HiddenFiles hidden = new HiddenFiles();

  public ZeroFuse(InodeStore store, long capacityBytes) {
    this.store = store;
    this.capacityBytes = capacityBytes;
    // nullpath_ok: calls on a handle (read, write, release, ...) still reach us when libfuse can
    // no longer build the file's path; utime_omit_ok: utimens understands UTIME_NOW/UTIME_OMIT.
    FuseFlags.set(fuseOperations, FuseFlags.NULLPATH_OK | FuseFlags.UTIME_OMIT_OK);
  }

  /**
   * Mounts on {@code mountpoint} and serves requests until the filesystem is unmounted
   * ({@code fusermount -u}, or {@link #unmount()}).
   */
  public void serve(java.nio.file.Path mountpoint, MountOptions options) {
    mount(mountpoint, true, options.debug(), options.fuseArgs().toArray(String[]::new));
  }

  /** Asks the kernel to detach the mount; {@link #serve} returns once it has. */
  public void unmount() {
    umount();
  }

  /** A callback body; its FsException becomes the negated errno libfuse expects. */
  private interface Call {
    int run() throws FsException;
  }

  private static int call(Call body) {
    try {
      return body.run();
    } catch (FsException e) {
      return -e.errno().code();
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "internal error, answering EIO: " + e, e);
      return -Errno.EIO.code();
    }
  }

  // ---- attributes ----------------------------------------------------------------------------

  @Override
  public int getattr(String path, FileStat stat) {
    return call(() -> fill(stat, store.getattr(resolve(path))));
  }

  @Override
  public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
    return call(() -> fill(stat, store.getattr(handle(fi).ino)));
  }

  private int fill(FileStat stat, Inode inode) {
    stat.st_ino.set(inode.ino());
    stat.st_mode.set(inode.mode());
    stat.st_nlink.set(inode.nlink());
    stat.st_uid.set(inode.uid());
    stat.st_gid.set(inode.gid());
    stat.st_size.set(inode.size());
    stat.st_rdev.set(inode.rdev());
    stat.st_blksize.set(BLOCK_SIZE);
    stat.st_blocks.set(store.blocks(inode));
    stat.st_atim.tv_sec.set(inode.atime().sec());
    stat.st_atim.tv_nsec.set(inode.atime().nsec());
    stat.st_mtim.tv_sec.set(inode.mtime().sec());
    stat.st_mtim.tv_nsec.set(inode.mtime().nsec());
    stat.st_ctim.tv_sec.set(inode.ctime().sec());
    stat.st_ctim.tv_nsec.set(inode.ctime().nsec());
    return 0;
  }

  @Override
  public int chmod(String path, long mode) {
    return call(() -> {
      store.chmod(resolve(path), (int) mode);
      return 0;
    });
  }

  @Override
  public int chown(String path, long uid, long gid) {
    // uid_t -1 ("leave as is") arrives as 0xffffffff; the int cast turns it back into -1.
    return call(() -> {
      store.chown(resolve(path), (int) uid, (int) gid);
      return 0;
    });
  }

  @Override
  public int utimens(String path, ru.serce.jnrfuse.struct.Timespec[] times) {
    return call(() -> {
      store.utimens(resolve(path), toTimespec(times[0]), toTimespec(times[1]));
      return 0;
    });
  }

  private static Timespec toTimespec(ru.serce.jnrfuse.struct.Timespec time) {
    return new Timespec(time.tv_sec.get(), (int) time.tv_nsec.longValue());
  }

  @Override
  public int truncate(String path, long size) {
    return call(() -> {
      store.truncate(resolve(path), size);
      return 0;
    });
  }

  @Override
  public int ftruncate(String path, long size, FuseFileInfo fi) {
    return call(() -> {
      store.truncate(handle(fi).ino, size);
      return 0;
    });
  }

  @Override
  public int statfs(String path, Statvfs stbuf) {
    FsStats stats = store.stats();
    long usedBlocks = (stats.fileBytes() + BLOCK_SIZE - 1) / BLOCK_SIZE;
    long totalBlocks = Math.max(capacityBytes / BLOCK_SIZE, usedBlocks);
    stbuf.f_bsize.set(BLOCK_SIZE);
    stbuf.f_frsize.set(BLOCK_SIZE);
    stbuf.f_blocks.set(totalBlocks);
    stbuf.f_bfree.set(totalBlocks - usedBlocks);
    stbuf.f_bavail.set(totalBlocks - usedBlocks);
    stbuf.f_files.set(stats.inodes() + FREE_INODES);
    stbuf.f_ffree.set(FREE_INODES);
    stbuf.f_favail.set(FREE_INODES);
    stbuf.f_namemax.set(255);
    return 0;
  }

  // ---- names ---------------------------------------------------------------------------------

  @Override
  public int mknod(String path, long mode, long rdev) {
    return call(() -> {
      FuseContext caller = getContext();
      store.mknod(parentOf(path), nameOf(path), (int) mode, rdev, caller.uid.intValue(), caller.gid.intValue());
      return 0;
    });
  }

  @Override
  public int mkdir(String path, long mode) {
    return call(() -> {
      FuseContext caller = getContext();
      store.mkdir(parentOf(path), nameOf(path), (int) mode, caller.uid.intValue(), caller.gid.intValue());
      return 0;
    });
  }

  @Override
  public int symlink(String target, String linkPath) {
    return call(() -> {
      FuseContext caller = getContext();
      store.symlink(parentOf(linkPath), nameOf(linkPath), target, caller.uid.intValue(), caller.gid.intValue());
      return 0;
    });
  }

  @Override
  public int readlink(String path, Pointer buf, long size) {
    return call(() -> {
      byte[] target = store.readlink(resolve(path)).getBytes(StandardCharsets.UTF_8);
      int length = (int) Math.min(target.length, size - 1);
      buf.put(0, target, 0, length);
      buf.putByte(length, (byte) 0);
      return 0;
    });
  }

  @Override
  public int link(String existingPath, String newPath) {
    return call(() -> {
      store.link(resolve(existingPath), parentOf(newPath), nameOf(newPath));
      return 0;
    });
  }

  @Override
  public int unlink(String path) {
    return call(() -> {
      String name = nameOf(path);
      if (hidden.remove(name)) {
        return 0; // the store dropped this name when libfuse hid the file
      }
      store.unlink(parentOf(path), name);
      return 0;
    });
  }

  @Override
  public int rmdir(String path) {
    return call(() -> {
      store.rmdir(parentOf(path), nameOf(path));
      return 0;
    });
  }

  @Override
  public int rename(String oldPath, String newPath) {
    return call(() -> {
      long oldParent = parentOf(oldPath);
      String oldName = nameOf(oldPath);
      String newName = nameOf(newPath);
      if (HiddenFiles.isHiddenName(newName)) {
        long ino = store.lookup(oldParent, oldName);
        if (isOpen(ino)) {
          store.unlink(oldParent, oldName);
          hidden.add(newName, ino);
          return 0;
        }
      }
      store.rename(oldParent, oldName, parentOf(newPath), newName);
      return 0;
    });
  }

  private boolean isOpen(long ino) {
    return openFiles.values().stream().anyMatch(file -> file.ino == ino);
  }

  // ---- directories ---------------------------------------------------------------------------

  @Override
  public int readdir(String path, Pointer buf, FuseFillDir filler, long offset, FuseFileInfo fi) {
    if (path == null) {
      return 0; // the directory was removed while open: it has no entries left
    }
    return call(() -> {
      List<DirEntry> entries = store.readdir(resolve(path));
      FileStat stat = new FileStat(jnr.ffi.Runtime.getSystemRuntime());
      filler.apply(buf, ".", null, 0);
      filler.apply(buf, "..", null, 0);
      for (DirEntry entry : entries) {
        stat.st_ino.set(entry.ino());
        stat.st_mode.set(entry.type());
        if (filler.apply(buf, entry.name(), stat, 0) != 0) {
          return -Errno.ENOMEM.code(); // libfuse could not grow its directory buffer
        }
      }
      return 0;
    });
  }

  @Override
  public int fsyncdir(String path, FuseFileInfo fi) {
    store.sync();
    return 0;
  }

  // ---- open files ----------------------------------------------------------------------------

  @Override
  public int create(String path, long mode, FuseFileInfo fi) {
    return call(() -> {
      long parent = parentOf(path);
      String name = nameOf(path);
      FuseContext caller = getContext();
      long ino;
      try {
        ino = store.mknod(parent, name, FileMode.S_IFREG | (int) mode, 0, caller.uid.intValue(), caller.gid.intValue()).ino();
      } catch (FsException e) {
        // Another creator won the race: without O_EXCL, open(O_CREAT) opens the existing file.
        if (e.errno() != Errno.EEXIST || (fi.flags.get() & O_EXCL) != 0) {
          throw e;
        }
        ino = store.lookup(parent, name);
      }
      return openHandle(ino, fi);
    });
  }

  @Override
  public int open(String path, FuseFileInfo fi) {
    return call(() -> openHandle(resolve(path), fi));
  }

  private int openHandle(long ino, FuseFileInfo fi) throws FsException {
    // libfuse2 gives each name its own page cache: a hard-linked file bypasses it, so that bytes
    // written through one name are what a descriptor open on another name reads.
    if (store.getattr(ino).nlink() > 1) {
      FuseFlags.setDirectIo(fi);
    }
    boolean writable = (fi.flags.get() & O_ACCMODE) != O_RDONLY;
    String contentPath = store.open(ino, writable).toString();
    // Always read-write: the kernel has already checked the caller's access mode.
    int fd = LibC.INSTANCE.open(contentPath, LibC.O_RDWR | LibC.O_CREAT | LibC.O_CLOEXEC, 0600);
    if (fd < 0) {
      int errno = LibC.errno();
      store.release(ino, writable);
      return -errno;
    }
    long fh = lastHandle.incrementAndGet();
    openFiles.put(fh, new OpenFile(ino, fd, (fi.flags.get() & O_APPEND) != 0, writable));
    fi.fh.set(fh);
    return 0;
  }

  @Override
  public int read(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
    return call(() -> {
      OpenFile file = handle(fi);
      store.ensureLocal(file.ino, offset, size, fi.fh.get());
      long read = LibC.INSTANCE.pread(file.fd, buf, size, offset);
      if (read < 0) {
        return -LibC.errno();
      }
      if (file.accessed.compareAndSet(false, true)) {
        store.touchAtime(file.ino);
      }
      return (int) read;
    });
  }

  @Override
  public int write(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
    return call(() -> {
      OpenFile file = handle(fi);
      store.ensureRoomFor(size);
      long at = file.append ? store.reserveAppend(file.ino, size) : offset;
      long written = LibC.INSTANCE.pwrite(file.fd, buf, size, at);
      if (written < 0) {
        return -LibC.errno();
      }
      if (!file.append) {
        store.wrote(file.ino, at + written);
      }
      return (int) written;
    });
  }

  @Override
  public int fallocate(String path, int mode, long offset, long length, FuseFileInfo fi) {
    return call(() -> {
      OpenFile file = handle(fi);
      store.checkFallocate(file.ino, mode, offset, length);
      if (LibC.INSTANCE.fallocate(file.fd, mode, offset, length) < 0) {
        return -LibC.errno();
      }
      boolean onlyAllocated = mode == 0 || mode == InodeStore.FALLOC_FL_KEEP_SIZE;
      if ((mode & InodeStore.FALLOC_FL_KEEP_SIZE) == 0) {
        store.wrote(file.ino, offset + length); // the size grows; zeroed bytes are new content
      } else if (!onlyAllocated) {
        store.wrote(file.ino, 0); // bytes inside the file became zeros
      }
      return 0;
    });
  }

  // No flush: close() is not a durability point in POSIX, and with flush unimplemented the kernel
  // stops sending FLUSH on every close after the first ENOSYS: one request less per file.

  @Override
  public int fsync(String path, int isdatasync, FuseFileInfo fi) {
    return call(() -> {
      OpenFile file = handle(fi);
      int result = isdatasync != 0 ? LibC.INSTANCE.fdatasync(file.fd) : LibC.INSTANCE.fsync(file.fd);
      if (result < 0) {
        return -LibC.errno();
      }
      store.sync();
      return 0;
    });
  }

  @Override
  public int release(String path, FuseFileInfo fi) {
    OpenFile file = openFiles.remove(fi.fh.get());
    if (file != null) {
      LibC.INSTANCE.close(file.fd);
      if (store.release(file.ino, file.writable)) {
        hidden.forget(file.ino);
      }
    }
    return 0;
  }

  private OpenFile handle(FuseFileInfo fi) throws FsException {
    OpenFile file = openFiles.get(fi.fh.get());
    if (file == null) {
      throw new FsException(Errno.EBADF, "no open file " + fi.fh.get());
    }
    return file;
  }

  // ---- extended attributes -------------------------------------------------------------------

  @Override
  public int setxattr(String path, String name, Pointer value, long size, int flags) {
    return call(() -> {
      byte[] bytes = new byte[(int) size];
      value.get(0, bytes, 0, bytes.length);
      store.setxattr(resolve(path), name, bytes, flags);
      return 0;
    });
  }

  @Override
  public int getxattr(String path, String name, Pointer value, long size) {
    return call(() -> copyOut(store.getxattr(resolve(path), name), value, size));
  }

  @Override
  public int listxattr(String path, Pointer list, long size) {
    return call(() -> {
      StringBuilder names = new StringBuilder();
      for (String name : store.listxattr(resolve(path))) {
        names.append(name).append('\0');
      }
      return copyOut(names.toString().getBytes(StandardCharsets.UTF_8), list, size);
    });
  }

  @Override
  public int removexattr(String path, String name) {
    return call(() -> {
      store.removexattr(resolve(path), name);
      return 0;
    });
  }

  /** The xattr calls' convention: size 0 asks for the length, a short buffer is ERANGE. */
  private static int copyOut(byte[] bytes, Pointer buffer, long size) throws FsException {
    if (size == 0) {
      return bytes.length;
    }
    if (size < bytes.length) {
      throw new FsException(Errno.ERANGE, "buffer of " + size + " for " + bytes.length + " bytes");
    }
    buffer.put(0, bytes, 0, bytes.length);
    return bytes.length;
  }

  // ---- paths ---------------------------------------------------------------------------------

  /** Walks an absolute path from the root to its inode. */
  private long resolve(String path) throws FsException {
    long ino = InodeStore.ROOT;
    int start = 1;
    while (start < path.length()) {
      int slash = path.indexOf('/', start);
      int end = slash < 0 ? path.length() : slash;
      String name = path.substring(start, end);
      Long hiddenIno = end == path.length() ? hidden.inode(name) : null;
      ino = hiddenIno != null ? hiddenIno : store.lookup(ino, name);
      start = end + 1;
    }
    return ino;
  }

  private long parentOf(String path) throws FsException {
    int slash = path.lastIndexOf('/');
    return slash == 0 ? InodeStore.ROOT : resolve(path.substring(0, slash));
  }

  private static String nameOf(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }
}
