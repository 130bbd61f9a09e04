package dev.zero.store;

import static dev.zero.store.Errno.E2BIG;
import static dev.zero.store.Errno.EEXIST;
import static dev.zero.store.Errno.EFBIG;
import static dev.zero.store.Errno.EINVAL;
import static dev.zero.store.Errno.EISDIR;
import static dev.zero.store.Errno.ENAMETOOLONG;
import static dev.zero.store.Errno.ENODEV;
import static dev.zero.store.Errno.ENODATA;
import static dev.zero.store.Errno.ENOENT;
import static dev.zero.store.Errno.ENOTDIR;
import static dev.zero.store.Errno.ENOTEMPTY;
import static dev.zero.store.Errno.EOPNOTSUPP;
import static dev.zero.store.Errno.EPERM;
import static dev.zero.store.Errno.ERANGE;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import org.mapdb.BTreeMap;
import org.mapdb.HTreeMap;

/**
 * The filesystem as data: inodes, directory entries, symlink targets, xattrs and local content,
 * in {@link Metadata}'s tables. Every POSIX rule and errno decision lives here.
 *
 * <p>Every method holds the store's monitor, and {@link GroupCommit} takes the changes under it,
 * so a commit never falls in the middle of an operation and every operation is atomic across a
 * crash. Inode records changed since the last commit are kept in memory and written at commit,
 * so a stream of writes to one file, or of creates in one directory, costs one record write per
 * commit, not per call. What may go from the local disk is {@link Eviction}'s to decide.
 */
public final class InodeStore implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(InodeStore.class.getName());
  public static final long ROOT = 1;
  public static final int XATTR_CREATE = 1;
  public static final int XATTR_REPLACE = 2;

  private static final int NAME_MAX = 255;
  private static final int XATTR_SIZE_MAX = 65536;
  private static final long DIRECTORY_SIZE = 4096;
  private static final long RELATIME_MAX_AGE_SECONDS = 24 * 3600;
  private static final long INO_BLOCK = 1024;
  private static final int RECENT_INODES = 65_536;
  private static final long STATS_TTL_NANOS = 1_000_000_000L;
  // Counters in the metadata.
  private static final String LAST_INO = "lastIno";
  private static final String TREE_VERSION = "treeVersion";
  /** The tree version the newest backup holds. */
  private static final String BACKED_UP_VERSION = "backedUpVersion";
  /** 1 while a process uses the store: still 1 at the next open means it was killed. */
  private static final String IN_USE = "inUse";
  /** How many metadata backups this store took itself (a restore's do not count). */
  private static final String OWN_BACKUPS = "ownBackups";
  // Properties in the metadata.
  private static final String FILESYSTEM_NAME = "filesystemName";
  private static final String FILESYSTEM_ID = "filesystemId";
  /**
   * The xattr that marks a pinned inode: outside every xattr namespace, so the kernel lets no
   * user set or read it, and listxattr leaves it out. It is backed up and restored with the tree.
   */
  static final String PIN = "zero.pinned";
  /**
   * The xattr a user reads for a file's state ({@link Placement#xattrValue}). Computed, never
   * stored, and not listed, so cp -a, rsync -X and tar --xattrs do not copy it elsewhere.
   */
  public static final String STATE_XATTR = "user.zero.state";

  private final Metadata metadata;
  // The tables, named here for brevity; every change goes through them into the journal.
  private final JournaledMap<Long, Inode, HTreeMap<Long, Inode>> inodes;
  private final DirectoryEntries directoryEntries;
  private final JournaledMap<Long, String, HTreeMap<Long, String>> symlinks;
  private final JournaledMap<Object[], byte[], BTreeMap<Object[], byte[]>> xattrs;
  private final JournaledMap<Long, Boolean, HTreeMap<Long, Boolean>> orphans;
  private final JournaledMap<String, Long, HTreeMap<String, Long>> backups;
  /** True for a store opened to be used (mounted), false for one opened as it is, for fsck. */
  private final boolean inUse;
  private final ContentStore content;
  private final GroupCommit commits;

  /** Inode records changed since the last commit; they win over {@link #inodes}. */
  private final Map<Long, Inode> unsaved = new HashMap<>();
  /**
   * Inode records read or committed lately, as they are in {@link #inodes}: a MapDB get decodes
   * the record anew each time, and getattr, lookup and readdir ask for the same inodes again and
   * again. Least recently used first; about 10 MB when full.
   */
  private final Map<Long, Inode> recentInodes = new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, Inode> eldest) {
      return size() > RECENT_INODES;
    }
  };
  /**
   * Told of inodes whose attributes changed other than by a request that answers with them:
   * st_blocks after an eviction or a recall, atime after a read or a listing.
   */
  private volatile LongConsumer attributesChanged = ino -> {};
  /** Inodes someone may still name by number (see {@link #retain}). */
  private final Set<Long> retained = new HashSet<>();
  /**
   * Counts changes to what a metadata dump holds (inodes, and with them entries, symlinks and
   * xattrs). Tiering's own bookkeeping does not move it, so a backup is due only when this did.
   */
  private long treeVersion;

  /** Tiering's view, in memory: rebuilt from the inodes at open, kept up to date by save(). */
  private final TierIndex tiers = new TierIndex();
  private final LocalUsage usage;
  private final Recalls recalls;
  private final Uploads uploads;
  private final Holds holds = new Holds();
  private final Eviction eviction;
  private FsStats stats;
  private long statsAt;
  /** Numbers up to reservedUpTo are reserved in the stored counter; nextIno is the last given. */
  private long nextIno;
  private long reservedUpTo;

  private InodeStore(Metadata metadata, ContentStore content, Duration commitInterval, boolean inUse) {
    this.metadata = metadata;
    this.content = content;
    this.usage = new LocalUsage(content);
    this.recalls = new Recalls(content, usage);
    this.eviction = new Eviction(this, holds, tiers, recalls, content, usage);
    this.uploads = new Uploads(this, holds, tiers, content, usage, metadata.remoteGarbage);
    this.inUse = inUse;
    this.inodes = metadata.inodes;
    this.directoryEntries = new DirectoryEntries(metadata.dentries);
    this.symlinks = metadata.symlinks;
    this.xattrs = metadata.xattrs;
    this.orphans = metadata.orphans;
    this.backups = metadata.backups;
    this.treeVersion = metadata.counter(TREE_VERSION);
    this.commits = new GroupCommit(metadata, content, this, this::takeChanges, commitInterval);
  }

  /**
   * Opens (creating if new) the store whose metadata is in {@code metadataFile} and whose local
   * content is under {@code contentDir}. A new store gets a root directory owned by {@code
   * rootUid}/{@code rootGid}. Orphans left by a process that died are freed.
   */
  public static InodeStore open(
      Path metadataFile, Path contentDir, Duration commitInterval, int rootUid, int rootGid)
      throws IOException {
    Files.createDirectories(metadataFile.toAbsolutePath().getParent());
    InodeStore store = new InodeStore(Metadata.open(metadataFile), new ContentStore(contentDir), commitInterval, true);
    store.initialize(rootUid, rootGid);
    return store;
  }

  /**
   * Opens an existing store as it is, for {@link Fsck}: orphans are not freed, nothing is
   * created, and a killed mount still counts as killed for the next one. (If the last process
   * did not close the store, its index is rebuilt from the journal, which changes no content.)
   */
  public static InodeStore openAsIs(Path metadataFile, Path contentDir) throws IOException {
    if (!Metadata.exists(metadataFile)) {
      throw new IOException("no metadata store at " + metadataFile);
    }
    return indexed(new InodeStore(Metadata.open(metadataFile), new ContentStore(contentDir), Duration.ofHours(1), false));
  }

  /** A store opened as it is, with its in-memory indexes (tiers, pins) built, since fsck asks them too. */
  private static InodeStore indexed(InodeStore store) {
    synchronized (store) {
      store.readPins();
      for (Inode inode : store.inodes.read().values()) {
        store.index(inode);
      }
    }
    return store;
  }

  /**
   * Opens an existing store for checking only: the checkpoint and journal are read whole and
   * replayed into a scratch index, so nothing in the cache changes, not even the clean marker.
   * Damage is {@link JournalDamage}; a change made through the store fails at its commit.
   */
  public static InodeStore openReadOnly(Path metadataFile, Path contentDir) throws IOException {
    if (!Metadata.exists(metadataFile)) {
      throw new IOException("no metadata store at " + metadataFile);
    }
    return indexed(new InodeStore(Metadata.openReadOnly(metadataFile), new ContentStore(contentDir), Duration.ofHours(1), false));
  }

  /**
   * Moves the metadata of a closed store from {@code from} to {@code to}, where there is none:
   * how a store built somewhere temporary (a restore) takes its place.
   */
  public static void moveMetadata(Path from, Path to) throws IOException {
    Metadata.move(from, to);
  }

  /** Whether the process that used the store before was killed rather than closing it. */
  synchronized boolean wasKilled() {
    return metadata.counter(IN_USE) == 1;
  }

  private void initialize(int rootUid, int rootGid) {
    synchronized (commits.lock()) {
      synchronized (this) {
        initializeLocked(rootUid, rootGid);
      }
    }
  }

  private void initializeLocked(int rootUid, int rootGid) {
    if (!inodes.containsKey(ROOT)) {
      Timespec now = Timespec.now();
      metadata.setCounter(LAST_INO, ROOT);
      save(new Inode(ROOT, FileMode.S_IFDIR | 0755, rootUid, rootGid, 2, DIRECTORY_SIZE, 0, now, now, now, ROOT, ContentState.LOCAL_CLEAN, null));
    }
    for (Long ino : List.copyOf(orphans.read().keySet())) {
      Inode orphan = inodes.get(ino);
      if (orphan == null) {
        orphans.remove(ino);
      } else {
        free(orphan);
      }
    }
    boolean killed = wasKilled();
    metadata.setCounter(IN_USE, 1);
    commits.commitLocked();
    nextIno = reservedUpTo = metadata.counter(LAST_INO);
    readPins();
    for (Inode inode : List.copyOf(inodes.read().values())) {
      index(inode);
      if (inode.isRegular()) {
        usage.changed(inode.ino()); // measured once, at the first pass or getattr
      }
      if (killed && inode.isRegular()) {
        reconcileAfterCrash(inode);
      }
    }
    if (killed) {
      removeStrayContent();
    }
    commits.commitLocked();
  }

  private void readPins() {
    for (Object[] key : xattrs.read().keySet()) {
      if (PIN.equals(key[1])) {
        holds.pin((Long) key[0], true);
      }
    }
  }

  /**
   * A kill can leave content files of inodes that do not exist: a create whose inode was never
   * committed, or a freed inode whose file was not deleted yet. Inode numbers are never handed
   * out twice, so no later file can inherit them; they only take space. A file numbered above
   * every number the metadata ever handed out is not such a leftover: the metadata is behind
   * the content, so the file is kept for fsck to put in /lost+found.
   */
  private void removeStrayContent() {
    long handedOut = metadata.counter(LAST_INO);
    try {
      for (Path file : content.allFiles()) {
        long ino = ContentStore.inoOf(file);
        Inode inode = ino < 0 ? null : inodeOrNull(ino);
        if (ino > handedOut) {
          LOG.log(Level.WARNING, file + " belongs to inode " + ino + ", a number the metadata never handed out;"
              + " kept: zero-cli fsck --repair puts it in /lost+found");
        } else if (ino >= 0 && (inode == null || !inode.isRegular())) {
          Files.deleteIfExists(file);
        }
      }
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot remove stray content after a crash: " + e.getMessage());
    }
  }

  /**
   * A crash can leave a content file changed by writes whose size and state were not committed
   * yet. The committed metadata is the truth. A dirty file's local content is cut or
   * zero-extended to the committed size. A clean file's remote copy is whole, so a clean file
   * whose local copy does not match becomes remote-only. A recall the crash cut short starts
   * again from nothing.
   */
  private void reconcileAfterCrash(Inode inode) {
    long ino = inode.ino();
    try {
      if (inode.content() == ContentState.REMOTE) {
        Files.deleteIfExists(content.path(ino));
        return;
      }
      long length = content.localLength(ino);
      if (ContentStore.holds(length, inode.size())) {
        return;
      }
      String found = length == -1 ? "no local content" : length + " local bytes";
      if (inode.content() == ContentState.LOCAL_CLEAN && inode.remote() != null) {
        LOG.log(Level.WARNING, "inode " + ino + " had " + found + " for a size of " + inode.size()
            + " after a crash; its remote copy is whole, so it becomes remote-only");
        save(inode.withContentState(ContentState.REMOTE, inode.remote()));
        commits.commitLocked(); // the state must say remote before the local copy goes
        content.delete(ino);
        return;
      }
      LOG.log(Level.WARNING, "inode " + ino + " had " + found + " for a size of " + inode.size()
          + " after a crash; its content is cut or zero-extended to the size");
      content.truncate(ino, inode.size());
    } catch (IOException | FsException e) {
      LOG.log(Level.WARNING, "cannot check the local content of inode " + ino + " after a crash: " + e.getMessage());
    }
  }

  /** Sets who is told when attributes change behind a request's answer (the kernel caches them). */
  public void onAttributesChanged(LongConsumer listener) {
    attributesChanged = listener;
  }

  /** Tells the listener that {@code ino}'s attributes changed behind a request's answer. */
  void attributesChanged(long ino) {
    attributesChanged.accept(ino);
  }

  public ContentStore content() {
    return content;
  }

  /** Marks every inode number up to {@code ino} handed out, so no new inode gets one of them. */
  synchronized void markHandedOut(long ino) {
    if (metadata.counter(LAST_INO) < ino) {
      metadata.setCounter(LAST_INO, ino);
      nextIno = reservedUpTo = ino;
    }
  }

  /**
   * The directory {@code name} in the root where fsck gives lost inodes a name, made (mode 0700,
   * owned by root) if missing. Fsck has the store to itself: no room check, which would wait for
   * deletions of other threads.
   */
  synchronized long lostAndFound(String name) throws FsException {
    Long existing = directoryEntries.child(ROOT, name);
    return existing != null ? existing : addNode(ROOT, name, FileMode.S_IFDIR | 0700, 0, 0, 0, DIRECTORY_SIZE).ino();
  }

  /**
   * Makes {@code file}, local content no inode explains, the content of a new regular file named
   * {@code name} in directory {@code parent} (mode 0600, owned like the root), so that fsck keeps
   * it rather than deleting it. Call {@link #markHandedOut} with the highest content file number
   * first, or the new inode could take the number of another such file.
   */
  synchronized Inode adoptContent(Path file, long parent, String name) throws FsException, IOException {
    Inode root = inode(ROOT);
    Inode adopted = addNode(parent, name, FileMode.S_IFREG | 0600, 0, root.uid(), root.gid(), 0);
    Path target = content.path(adopted.ino());
    Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
    Inode whole = adopted.withData(Files.size(target), adopted.ctime());
    save(whole);
    return whole;
  }

  // ---- repairs: what fsck reads, and changes through these named operations only ----------

  /** Every name in {@code dir} and the inode number it names, whether that inode exists or not. */
  synchronized SortedMap<String, Long> namesIn(long dir) {
    return new TreeMap<>(directoryEntries.names(dir));
  }

  synchronized List<Long> inodeNumbers() {
    return List.copyOf(inodes.read().keySet());
  }

  /** Unlinked while open or held by the kernel: freed at the next mount. */
  synchronized boolean isOrphan(long ino) {
    return orphans.containsKey(ino);
  }

  synchronized boolean hasSymlinkTarget(long ino) {
    return symlinks.get(ino) != null;
  }

  /** Removes one name, leaving link counts alone: fsck counts the names that are left. */
  synchronized void dropName(long dir, String name) {
    directoryEntries.remove(dir, name);
    treeVersion++;
  }

  /**
   * Replaces every name {@code inode} had with the one name {@code name} in {@code dir} (fsck's
   * move into /lost+found), and saves it with the link count and parent that go with that.
   */
  synchronized void replaceNames(Inode inode, long dir, String name) throws FsException {
    long ino = inode.ino();
    for (Map.Entry<Object[], Long> entry : List.copyOf(directoryEntries.table().entrySet())) {
      if (entry.getValue() == ino) {
        directoryEntries.remove((Long) entry.getKey()[0], (String) entry.getKey()[1]);
      }
    }
    directoryEntries.put(dir, name, ino);
    if (inode.isDirectory()) {
      save(inode.withParent(dir, inode.ctime()));
      Inode parent = inode(dir);
      save(parent.withNlink(parent.nlink() + 1, parent.ctime()));
    } else {
      save(inode.withNlink(1, inode.ctime()));
    }
  }

  // ---- lookups -------------------------------------------------------------------------------

  public synchronized Inode getattr(long ino) throws FsException {
    return inode(ino);
  }

  public synchronized long lookup(long parent, String name) throws FsException {
    checkName(name);
    directory(parent);
    Long child = directoryEntries.child(parent, name);
    if (child == null) {
      throw new FsException(ENOENT, "no entry " + name + " in directory " + parent);
    }
    return child;
  }

  /** The 512-byte blocks an inode occupies on the local disk (st_blocks). */
  public long blocks(Inode inode) {
    if (inode.isDirectory()) {
      return DIRECTORY_SIZE / 512;
    }
    return inode.isRegular() ? usage.blocks(inode.ino()) : 0;
  }

  public synchronized List<DirEntry> readdir(long ino) throws FsException {
    List<DirEntry> entries = entries(ino);
    updateAtime(ino); // no notice: the kernel marks a directory's atime stale after each READDIR itself
    return entries;
  }

  public synchronized String readlink(long ino) throws FsException {
    if (!inode(ino).isSymlink()) {
      throw new FsException(EINVAL, "inode " + ino + " is not a symlink");
    }
    return symlinks.get(ino);
  }

  // ---- creating names ------------------------------------------------------------------------

  /** Creates a regular file, FIFO, socket or device node (mknod and open with O_CREAT). */
  // Each checks for room before taking the store's monitor: making room may wait for deletions
  // that need it.
  public Inode mknod(long parent, String name, int mode, long rdev, int uid, int gid)
      throws FsException {
    int type = FileMode.type(mode) == 0 ? FileMode.S_IFREG : FileMode.type(mode);
    if (type == FileMode.S_IFDIR || type == FileMode.S_IFLNK) {
      throw new FsException(EINVAL, "mknod cannot make a directory or symlink");
    }
    ensureRoomFor(0);
    synchronized (this) {
      return addNode(parent, name, type | (mode & FileMode.PERMISSIONS), rdev, uid, gid, 0);
    }
  }

  public Inode mkdir(long parent, String name, int mode, int uid, int gid)
      throws FsException {
    ensureRoomFor(0);
    synchronized (this) {
      return addNode(parent, name, FileMode.S_IFDIR | (mode & 01777), 0, uid, gid, DIRECTORY_SIZE);
    }
  }

  public Inode symlink(long parent, String name, String target, int uid, int gid)
      throws FsException {
    int length = target.getBytes(StandardCharsets.UTF_8).length;
    if (length == 0) {
      throw new FsException(ENOENT, "a symlink target cannot be empty");
    }
    ensureRoomFor(0);
    synchronized (this) {
      Inode link = addNode(parent, name, FileMode.S_IFLNK | 0777, 0, uid, gid, length);
      symlinks.put(link.ino(), target);
      return link;
    }
  }

  /** Gives inode {@code ino} one more name. Directories cannot be hard-linked. */
  public synchronized Inode link(long ino, long newParent, String newName) throws FsException {
    Inode inode = inode(ino);
    if (inode.isDirectory()) {
      throw new FsException(EPERM, "cannot hard-link a directory");
    }
    checkFree(newParent, newName);
    Timespec now = Timespec.now();
    Inode linked = inode.withNlink(inode.nlink() + 1, now);
    save(linked);
    directoryEntries.put(newParent, newName, ino);
    touchDirectory(newParent, 0, now);
    return linked;
  }

  private Inode addNode(long parent, String name, int mode, long rdev, int uid, int gid, long size)
      throws FsException {
    checkFree(parent, name);
    Inode dir = inode(parent);
    boolean isDir = FileMode.isDirectory(mode);
    // A set-group-ID directory hands its group, and for subdirectories the bit, to new entries.
    if ((dir.mode() & FileMode.S_ISGID) != 0) {
      gid = dir.gid();
      mode = isDir ? mode | FileMode.S_ISGID : mode;
    }
    Timespec now = Timespec.now();
    long ino = allocateIno();
    // A new file's content is empty: nothing to upload until it is written.
    Inode node = new Inode(ino, mode, uid, gid, isDir ? 2 : 1, size, rdev, now, now, now, isDir ? parent : 0, ContentState.LOCAL_CLEAN, null);
    save(node);
    if (node.isRegular()) {
      usage.changed(ino);
    }
    if (holds.isPinned(parent)) {
      pin(ino, true); // a pinned directory keeps what is made in it local too
    }
    directoryEntries.put(parent, name, ino);
    if (isDir) {
      directoryEntries.made(ino);
    }
    touchDirectory(parent, isDir ? 1 : 0, now);
    return node;
  }

  /** Checks that a new name is valid and not taken. */
  private void checkFree(long parent, String name) throws FsException {
    checkName(name);
    directory(parent);
    if (directoryEntries.contains(parent, name)) {
      throw new FsException(EEXIST, name + " exists");
    }
  }

  // ---- removing names ------------------------------------------------------------------------

  public synchronized void unlink(long parent, String name) throws FsException {
    long ino = lookup(parent, name);
    Inode inode = inode(ino);
    if (inode.isDirectory()) {
      throw new FsException(EISDIR, name + " is a directory");
    }
    Timespec now = Timespec.now();
    directoryEntries.remove(parent, name);
    dropLink(inode, now);
    touchDirectory(parent, 0, now);
  }

  public synchronized void rmdir(long parent, String name) throws FsException {
    long ino = lookup(parent, name);
    Inode dir = inode(ino);
    if (!dir.isDirectory()) {
      throw new FsException(ENOTDIR, name + " is not a directory");
    }
    if (!directoryEntries.isEmpty(ino)) {
      throw new FsException(ENOTEMPTY, name + " is not empty");
    }
    Timespec now = Timespec.now();
    directoryEntries.remove(parent, name);
    free(dir);
    touchDirectory(parent, -1, now);
  }

  /** Renames like {@link #rename}, but fails with EEXIST if the target exists (RENAME_NOREPLACE). */
  public synchronized void renameNoReplace(long srcParent, String srcName, long dstParent, String dstName)
      throws FsException {
    lookup(srcParent, srcName);
    directory(dstParent);
    if (directoryEntries.contains(dstParent, dstName)) {
      throw new FsException(EEXIST, dstName + " exists");
    }
    rename(srcParent, srcName, dstParent, dstName);
  }

  /**
   * Renames an entry; only directory entries change, whatever the size of the tree moved. An
   * existing target is replaced in the same atomic step. Renaming one name of an inode onto
   * another name of the same inode does nothing, as POSIX says.
   */
  public synchronized void rename(long srcParent, String srcName, long dstParent, String dstName)
      throws FsException {
    checkName(dstName);
    long ino = lookup(srcParent, srcName);
    directory(dstParent);
    Inode moved = inode(ino);
    Long replacedIno = directoryEntries.child(dstParent, dstName);
    if (replacedIno != null && replacedIno == ino) {
      return;
    }
    Inode replaced = replacedIno == null ? null : inode(replacedIno);
    if (moved.isDirectory()) {
      if (isSelfOrAncestor(ino, dstParent)) {
        throw new FsException(EINVAL, "cannot move a directory into itself");
      }
      if (replaced != null && !replaced.isDirectory()) {
        throw new FsException(ENOTDIR, dstName + " is not a directory");
      }
      if (replaced != null && !directoryEntries.isEmpty(replaced.ino())) {
        throw new FsException(ENOTEMPTY, dstName + " is not empty");
      }
    } else if (replaced != null && replaced.isDirectory()) {
      throw new FsException(EISDIR, dstName + " is a directory");
    }

    Timespec now = Timespec.now();
    if (replaced != null && replaced.isDirectory()) {
      free(replaced);
      touchDirectory(dstParent, -1, now);
    } else if (replaced != null) {
      dropLink(replaced, now);
    }
    directoryEntries.remove(srcParent, srcName);
    directoryEntries.put(dstParent, dstName, ino);
    if (moved.isDirectory() && srcParent != dstParent) {
      save(moved.withParent(dstParent, now));
      touchDirectory(srcParent, -1, now);
      touchDirectory(dstParent, 1, now);
    } else {
      save(moved.withTimes(moved.atime(), moved.mtime(), now)); // a rename changes the inode's ctime
      touchDirectory(srcParent, 0, now);
      touchDirectory(dstParent, 0, now);
    }
  }

  private boolean isSelfOrAncestor(long dir, long of) throws FsException {
    for (long at = of; ; at = inode(at).parent()) {
      if (at == dir) {
        return true;
      }
      if (at == ROOT) {
        return false;
      }
    }
  }

  /** Removes one link; the last one frees the inode, or makes it an orphan while it is open or retained. */
  private void dropLink(Inode inode, Timespec now) {
    int nlink = inode.nlink() - 1;
    if (nlink > 0 || holds.isOpen(inode.ino()) || retained.contains(inode.ino())) {
      save(inode.withNlink(nlink, now));
      if (nlink == 0) {
        orphans.put(inode.ino(), true);
      }
    } else {
      free(inode);
    }
  }

  void free(Inode inode) {
    long ino = inode.ino();
    treeVersion++;
    unsaved.remove(ino);
    recentInodes.remove(ino);
    inodes.remove(ino);
    if (inode.isSymlink()) {
      symlinks.remove(ino);
    }
    if (inode.isDirectory()) {
      directoryEntries.removed(ino);
    }
    // Each through the journal: cleared in MapDB alone, they would come back with the replay after a kill.
    for (Object[] key : List.copyOf(xattrs.read().prefixSubMap(new Object[] {ino}).keySet())) {
      xattrs.remove(key);
    }
    if (inode.nlink() == 0) {
      orphans.remove(ino);
    }
    holds.pin(ino, false);
    if (inode.isRegular()) {
      commits.deleteContentAfterCommit(ino);
      tiers.remove(ino);
      recalls.drop(ino);
      usage.forget(ino);
      uploads.freed(ino);
      if (inode.remoteKey() != null) {
        uploads.discard(inode.remoteKey());
      }
    }
  }

  // ---- attributes ----------------------------------------------------------------------------

  public synchronized Inode chmod(long ino, int mode) throws FsException {
    Inode inode = inode(ino);
    Inode changed = inode.withMode(inode.type() | (mode & FileMode.PERMISSIONS), Timespec.now());
    save(changed);
    return changed;
  }

  /**
   * Drops the set-id bits a change of the file takes away, as Linux does: after a write or a
   * truncate by a caller without CAP_FSETID, and after any chown of a file, setuid goes always,
   * and setgid if the group may execute the file or the caller is neither root nor in the file's
   * group ({@code inGroup} is asked only then). Returns whether the mode changed.
   */
  public synchronized boolean dropSetIds(long ino, Caller caller) throws FsException {
    Inode inode = inode(ino);
    int mode = inode.mode();
    if (inode.isDirectory() || (mode & (FileMode.S_ISUID | FileMode.S_ISGID)) == 0) {
      return false;
    }
    int dropped = mode & ~FileMode.S_ISUID;
    if ((mode & FileMode.S_ISGID) != 0
        && ((mode & FileMode.S_IXGRP) != 0 || (caller.uid() != 0 && !caller.inGroup().test(inode.gid())))) {
      dropped &= ~FileMode.S_ISGID;
    }
    if (dropped == mode) {
      return false;
    }
    save(inode.withMode(dropped, Timespec.now()));
    return true;
  }

  /** {@link #dropSetIds} for a change whose answer carries no attributes: the kernel is told apart. */
  private void dropSetIdsUnanswered(long ino, Caller caller) throws FsException {
    if (caller != null && dropSetIds(ino, caller)) {
      attributesChanged.accept(ino);
    }
  }

  /** Changes owner and/or group; -1 leaves that one as it is. */
  public synchronized Inode chown(long ino, int uid, int gid) throws FsException {
    Inode inode = inode(ino);
    Inode changed =
        inode.withOwner(uid == -1 ? inode.uid() : uid, gid == -1 ? inode.gid() : gid, Timespec.now());
    save(changed);
    return changed;
  }

  /**
   * Sets access and modification times as utimensat does: a nanosecond field of {@link
   * Timespec#UTIME_NOW} means now, {@link Timespec#UTIME_OMIT} leaves that time as it is.
   */
  public synchronized Inode utimens(long ino, Timespec atime, Timespec mtime) throws FsException {
    Inode inode = inode(ino);
    if (atime.nsec() == Timespec.UTIME_OMIT && mtime.nsec() == Timespec.UTIME_OMIT) {
      return inode;
    }
    Timespec now = Timespec.now();
    Inode changed =
        inode.withTimes(resolveTime(atime, inode.atime(), now), resolveTime(mtime, inode.mtime(), now), now);
    save(changed);
    return changed;
  }

  private static Timespec resolveTime(Timespec requested, Timespec current, Timespec now) {
    if (requested.nsec() == Timespec.UTIME_NOW) {
      return now;
    }
    return requested.nsec() == Timespec.UTIME_OMIT ? current : requested;
  }

  /** Sets a file's size. Remote-only content is recalled first: the kept bytes must be there. */
  public Inode truncate(long ino, long size) throws FsException {
    return truncate(ino, size, null);
  }

  /**
   * A truncate that also drops set-id bits for {@code caller} where Linux would (null: the kernel
   * did not ask), as open's O_TRUNC does, whose answer carries no attributes.
   */
  public Inode truncate(long ino, long size, Caller caller) throws FsException {
    if (size > content.maxFileSize()) {
      throw new FsException(EFBIG, "a size of " + size + " bytes is more than a file on the cache disk can hold");
    }
    synchronized (this) {
      inode(ino);
      addWriter(ino); // as for an open writer: no upload makes it clean meanwhile
    }
    try {
      if (size > 0) {
        ensureLocal(ino, 0, size);
      }
      markDirtyBeforeWriting(ino);
      synchronized (this) {
        eviction.awaitDeleted(ino); // one chosen before this truncate began would delete what it writes
        Inode inode = inode(ino);
        if (inode.isDirectory()) {
          throw new FsException(EISDIR, "cannot truncate a directory");
        }
        if (!inode.isRegular() || size < 0) {
          throw new FsException(EINVAL, "cannot truncate inode " + ino + " to " + size);
        }
        recalls.drop(ino);
        content.truncate(ino, size);
        save(inode.withData(size, Timespec.now()));
        uploads.contentChanged(ino);
        dropSetIdsUnanswered(ino, caller);
        return inode(ino);
      }
    } finally {
      synchronized (this) {
        removeWriter(ino);
      }
    }
  }

  // ---- content -------------------------------------------------------------------------------

  /**
   * Notes that a handle on {@code ino} is open and returns its local content file, which lives
   * on until the last release. A handle that may write gets the whole content recalled first,
   * because writes go to the local file. File I/O opens through {@link ContentHandle}, which
   * calls this.
   */
  public Path open(long ino, boolean write) throws FsException {
    synchronized (this) {
      inode(ino);
      eviction.awaitDeleted(ino); // else the adapter could open the content file being deleted
      holds.opened(ino);
      if (write) {
        addWriter(ino);
      }
      tiers.opened(ino, System.currentTimeMillis());
    }
    if (write) {
      try {
        ensureLocal(ino, 0, Long.MAX_VALUE);
        markDirtyBeforeWriting(ino);
      } catch (FsException e) {
        release(ino, true);
        throw e;
      }
    }
    return content.path(ino);
  }

  /**
   * A clean file's local copy equals its remote copy, and eviction relies on that. Before a
   * writer may change the local copy, the file becomes dirty, durably: otherwise a crash could
   * leave it "clean" with bytes the remote does not have, and eviction would silently bring
   * back the old ones.
   */
  private void markDirtyBeforeWriting(long ino) throws FsException {
    synchronized (this) {
      Inode inode = inode(ino);
      if (inode.content() != ContentState.LOCAL_CLEAN || inode.remote() == null) {
        return;
      }
      save(inode.withContentState(ContentState.LOCAL_DIRTY, inode.remote()));
    }
    sync();
  }

  /**
   * Whether the kernel may serve a handle on the file by itself (passthrough): all of its
   * content must be in its local file, and a writer needs room to spare, since Zero would not
   * see its writes reach the space kept free for metadata. A file with set-id bits goes through
   * Zero too: the kernel leaves their {@linkplain #dropSetIds dropping} at a write to Zero, and
   * does not ask for it on writes it does itself.
   */
  public boolean mayServeUnwatched(long ino, boolean write) throws FsException {
    synchronized (this) {
      Inode inode = inode(ino);
      if (inode.content() == ContentState.REMOTE || (inode.mode() & (FileMode.S_ISUID | FileMode.S_ISGID)) != 0) {
        return false;
      }
    }
    return !write || content.roomForUnwatchedWrites();
  }

  /**
   * Notes that a user of inode numbers (the kernel, which caches inodes by number) keeps {@code
   * ino} and may name it later, as in an open racing a rename over its last name: until {@link
   * #forget}, an inode that loses its last name stays an orphan rather than being freed.
   */
  public synchronized void retain(long ino) {
    if (ino != ROOT) {
      retained.add(ino);
    }
  }

  /** Undoes {@link #retain}; an orphan nobody has open is freed now. */
  public synchronized void forget(long ino) {
    if (retained.remove(ino) && !holds.isOpen(ino)) {
      Inode inode = inodeOrNull(ino);
      if (inode != null && inode.nlink() == 0) {
        free(inode);
      }
    }
  }

  /** Notes that a handle closed. The last release of an inode with no names frees it: true then. */
  public synchronized boolean release(long ino, boolean write) {
    if (write) {
      removeWriter(ino);
    }
    if (holds.closed(ino) > 0) {
      return false;
    }
    Inode inode = inodeOrNull(ino);
    if (inode != null && inode.nlink() == 0 && !retained.contains(ino)) {
      free(inode);
      return true;
    }
    return false;
  }

  /** A writer of the file's content starts: no upload may call the file clean until it ends. */
  private void addWriter(long ino) {
    holds.writerStarted(ino);
    usage.startChanging(ino);
  }

  private void removeWriter(long ino) {
    holds.writerEnded(ino);
    usage.stopChanging(ino);
  }

  /** See {@link Eviction#makeRoomFor}: call before writing or recalling, without the store's monitor. */
  void ensureRoomFor(long bytes) throws FsException {
    eviction.makeRoomFor(bytes);
  }

  /**
   * Evicts clean closed files (and stalled recalls), least recently used first, until about
   * {@code bytes} are freed; returns how many. Tiering's passes and a full disk both make room
   * this way.
   */
  public int evictLeastRecentlyUsed(long bytes) {
    return eviction.leastRecentlyUsed(bytes);
  }

  /** fallocate's mode bits that Zero's local content supports (linux/falloc.h). */
  static final int FALLOC_FL_KEEP_SIZE = 0x01;
  static final int FALLOC_FL_PUNCH_HOLE = 0x02;
  static final int FALLOC_FL_ZERO_RANGE = 0x10;

  /**
   * Checks a fallocate on an inode open for writing (so local and dirty already), and makes
   * room for what it allocates; {@link ContentHandle#fallocate} then runs it on the content file. Collapsing and inserting ranges,
   * which move the bytes of a file, are not supported.
   */
  void checkFallocate(long ino, int mode, long offset, long length) throws FsException {
    if (offset < 0 || length <= 0) {
      throw new FsException(EINVAL, "fallocate of " + length + " bytes at " + offset);
    }
    int known = FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE;
    boolean punch = (mode & FALLOC_FL_PUNCH_HOLE) != 0;
    if ((mode & ~known) != 0 || (punch && (mode & FALLOC_FL_KEEP_SIZE) == 0) || (punch && (mode & FALLOC_FL_ZERO_RANGE) != 0)) {
      throw new FsException(EOPNOTSUPP, "fallocate mode " + Integer.toHexString(mode) + " is not supported");
    }
    if (offset > Long.MAX_VALUE - length || offset + length > content.maxFileSize()) {
      throw new FsException(EFBIG, "fallocate beyond what a file on the cache disk can hold");
    }
    Inode inode = getattr(ino);
    if (!inode.isRegular()) {
      throw new FsException(inode.isDirectory() ? EISDIR : ENODEV, "fallocate of a file that is not regular");
    }
    if (!punch) {
      ensureRoomFor(length);
    }
  }

  /**
   * Records what the kernel wrote to the content file itself, by passthrough: the file's size
   * and modification time, taken from the content file, become the inode's, as a new version
   * for tiering. Returns the inode as it is now.
   */
  public synchronized Inode contentWritten(long ino, long size, Timespec mtime) throws FsException {
    usage.changed(ino);
    Inode changed = inode(ino).withData(size, mtime);
    save(changed);
    uploads.contentChanged(ino);
    return changed;
  }

  /** Records that bytes up to {@code end} were written: size grows, mtime and ctime are now. */
  public void wrote(long ino, long end) throws FsException {
    wrote(ino, end, null);
  }

  /** {@link #wrote(long, long)} for a write that also drops set-id bits for {@code caller} (null: the kernel did not ask). */
  public synchronized void wrote(long ino, long end, Caller caller) throws FsException {
    usage.changed(ino);
    Inode inode = inode(ino);
    save(inode.withData(Math.max(inode.size(), end), Timespec.now()));
    uploads.contentChanged(ino);
    dropSetIdsUnanswered(ino, caller);
  }

  /**
   * Makes bytes [offset, offset + length) of a file local, recalling them from the remote if
   * the file is remote-only. Returns at once for local files. Fails with EIO if the remote
   * cannot be reached within its retries.
   */
  public void ensureLocal(long ino, long offset, long length) throws FsException {
    ensureLocal(ino, offset, length, 0);
  }

  /**
   * Like {@link #ensureLocal(long, long, long)}, for a read through the open handle {@code
   * reader}: the kernel's immediate retry of a read that failed on it fails at once.
   */
  void ensureLocal(long ino, long offset, long length, long reader) throws FsException {
    Recall recall;
    do {
      synchronized (this) {
        eviction.awaitDeleted(ino);
        Inode inode = inode(ino);
        if (inode.content() != ContentState.REMOTE) {
          return;
        }
        recall = recalls.of(inode);
      }
      // False if the recall was given up under us (a truncate, write or eviction): look anew.
    } while (!recalls.fetch(recall, offset, Math.min(length, Long.MAX_VALUE - offset), reader, this::ensureRoomFor));
  }

  /**
   * Calls the files whose recall completed local: their content is made durable first, outside
   * the lock and off the read path, so a crash never leaves a "local" file with holes.
   */
  public void settleRecalls() {
    List<Map.Entry<Long, Recall>> complete;
    synchronized (this) {
      complete = recalls.complete();
    }
    for (Map.Entry<Long, Recall> entry : complete) {
      long ino = entry.getKey();
      Recall recall = entry.getValue();
      try {
        if (!recall.finish()) {
          continue; // given up meanwhile: the file changed or went away
        }
      } catch (IOException e) {
        LOG.log(Level.WARNING, "cannot make recalled content of inode " + ino + " durable: " + e.getMessage());
        continue;
      }
      synchronized (this) {
        if (!recalls.end(ino, recall)) {
          continue;
        }
        Inode inode = inodeOrNull(ino);
        if (inode != null && inode.content() == ContentState.REMOTE && recall.isOf(inode.remoteKey())) {
          recalls.countRecalled(inode.size());
          if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "recalled " + pathOf(ino) + " (" + inode.size() + " bytes)");
          }
          saveUnversioned(inode.withContentState(ContentState.LOCAL_CLEAN, inode.remote()));
          attributesChanged.accept(ino); // st_blocks counts the recalled bytes
        }
      }
    }
  }

  /**
   * Marks the inode accessed, with Linux's relatime rule: atime moves only when it is not newer
   * than mtime or ctime, or is a day old. So reading costs a record write rarely, not every time.
   */
  public synchronized void touchAtime(long ino) throws FsException {
    if (updateAtime(ino)) {
      attributesChanged.accept(ino);
    }
  }

  /** Sets atime to now where relatime would; returns whether it did. */
  private boolean updateAtime(long ino) throws FsException {
    Inode inode = inode(ino);
    Timespec now = Timespec.now();
    Timespec atime = inode.atime();
    if (!atime.isAfter(inode.mtime())
        || !atime.isAfter(inode.ctime())
        || now.sec() - atime.sec() >= RELATIME_MAX_AGE_SECONDS) {
      saveUnversioned(inode.withTimes(now, inode.mtime(), inode.ctime()));
      return true;
    }
    return false;
  }

  // ---- extended attributes -------------------------------------------------------------------

  public synchronized void setxattr(long ino, String name, byte[] value, int flags)
      throws FsException {
    Inode inode = inode(ino);
    checkXattrName(name);
    checkNotComputed(name);
    if (value.length > XATTR_SIZE_MAX) {
      throw new FsException(E2BIG, "xattr value larger than " + XATTR_SIZE_MAX);
    }
    Object[] key = key(ino, name);
    boolean exists = xattrs.containsKey(key);
    if (exists && (flags & XATTR_CREATE) != 0) {
      throw new FsException(EEXIST, "xattr " + name + " exists");
    }
    if (!exists && (flags & XATTR_REPLACE) != 0) {
      throw new FsException(ENODATA, "no xattr " + name);
    }
    xattrs.put(key, value);
    save(inode.withMode(inode.mode(), Timespec.now()));
  }

  public byte[] getxattr(long ino, String name) throws FsException {
    if (name.equals(STATE_XATTR)) {
      return Placement.xattrValue(state(ino)).getBytes(StandardCharsets.UTF_8);
    }
    return storedXattr(ino, name);
  }

  private synchronized byte[] storedXattr(long ino, String name) throws FsException {
    inode(ino);
    checkXattrName(name);
    byte[] value = xattrs.get(key(ino, name));
    if (value == null) {
      throw new FsException(ENODATA, "no xattr " + name);
    }
    return value;
  }

  public synchronized List<String> listxattr(long ino) throws FsException {
    inode(ino);
    List<String> names = new ArrayList<>();
    for (Object[] key : xattrs.read().prefixSubMap(new Object[] {ino}).keySet()) {
      if (!PIN.equals(key[1])) {
        names.add((String) key[1]);
      }
    }
    return names;
  }

  public synchronized void removexattr(long ino, String name) throws FsException {
    Inode inode = inode(ino);
    checkXattrName(name);
    checkNotComputed(name);
    if (xattrs.remove(key(ino, name)) == null) {
      throw new FsException(ENODATA, "no xattr " + name);
    }
    save(inode.withMode(inode.mode(), Timespec.now()));
  }

  private static void checkXattrName(String name) throws FsException {
    if (name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > NAME_MAX) {
      throw new FsException(ERANGE, "bad xattr name length");
    }
    // POSIX ACLs live in system.*: Zero does not enforce ACLs, so it must not pretend to store them.
    if (name.startsWith("system.")) {
      throw new FsException(EOPNOTSUPP, "system xattrs are not supported");
    }
  }

  private static void checkNotComputed(String name) throws FsException {
    if (name.equals(STATE_XATTR) || name.equals(PIN)) {
      throw new FsException(EPERM, name + " is Zero's own: it shows where a file's content is, and cannot be changed");
    }
  }

  // ---- what stays local ------------------------------------------------------------------------

  /** Where an inode's content is, for {@code zero-cli ls} and {@link #STATE_XATTR}. */
  public Placement state(long ino) throws FsException {
    // Measured before the monitor is taken, as getattr does: it may stat the content file.
    long measured = usage.blocks(ino) * 512;
    synchronized (this) {
      Inode inode = inode(ino);
      if (!inode.isRegular()) {
        return new Placement(ino, inode.type(), null, holds.isPinned(ino), 0, inode.size());
      }
      Placement.Residence residence = switch (inode.content()) {
        case LOCAL_DIRTY -> Placement.Residence.LOCAL;
        case LOCAL_CLEAN -> inode.remoteKey() != null ? Placement.Residence.SYNCED : Placement.Residence.LOCAL;
        // A recall read to its end is local; only making it durable waits for the next settling.
        case REMOTE -> recalls.completeFor(ino) ? Placement.Residence.SYNCED
            : measured > 0 ? Placement.Residence.PARTIAL : Placement.Residence.REMOTE;
      };
      return new Placement(ino, inode.type(), residence, holds.isPinned(ino), measured, inode.size());
    }
  }

  /**
   * Pins or unpins one inode. A pinned file's content is never evicted; a pinned directory pins
   * what is created in it later. Recalling what is remote is the caller's part.
   */
  public synchronized void setPinned(long ino, boolean pin) throws FsException {
    inode(ino);
    pin(ino, pin);
  }

  private void pin(long ino, boolean pin) {
    if (holds.pin(ino, pin)) {
      if (pin) {
        xattrs.put(key(ino, PIN), new byte[0]);
      } else {
        xattrs.remove(key(ino, PIN));
      }
      treeVersion++; // pins are backed up with the tree
    }
  }

  /** Bytes of the pinned regular files: they count against the target. */
  public synchronized long pinnedBytes() {
    long bytes = 0;
    for (long ino : holds.pinned()) {
      Inode inode = inodeOrNull(ino);
      if (inode != null && inode.isRegular()) {
        bytes += inode.size();
      }
    }
    return bytes;
  }

  /**
   * Counts the inode as unused since this mount started, so that prefetch does not bring back
   * what a user just evicted on purpose. Its atime still counts after a remount.
   */
  public synchronized void forgetRecentUse(long ino) {
    tiers.opened(ino, 0);
  }

  /** Whether a handle on the inode is open. */
  public synchronized boolean isOpen(long ino) {
    return holds.isOpen(ino);
  }

  /** The inode at {@code path}, relative to the root ("docs/report.pdf"; "" is the root). */
  public synchronized long resolve(String path) throws FsException {
    long ino = ROOT;
    for (String name : path.split("/")) {
      if (!name.isEmpty() && !name.equals(".")) {
        ino = lookup(ino, name);
      }
    }
    return ino;
  }

  /** A directory's entries, without touching its atime: for Zero's own walks, not a user's reads. */
  public synchronized List<DirEntry> entries(long dir) throws FsException {
    directory(dir);
    List<DirEntry> entries = new ArrayList<>();
    for (Map.Entry<String, Long> entry : directoryEntries.names(dir).entrySet()) {
      long child = entry.getValue();
      entries.add(new DirEntry(entry.getKey(), child, inode(child).type()));
    }
    return entries;
  }

  // ---- tiering -------------------------------------------------------------------------------

  /** A remote-only file, and its size. */
  public record RemoteFile(long ino, long size) {}

  /** Inodes and bytes of regular files in each content state, and recall totals. */
  public record TieringCounts(
      long dirtyFiles, long dirtyBytes, long cleanFiles, long cleanBytes,
      long remoteFiles, long remoteBytes, long recalledFiles, long recalledBytes) {}

  public synchronized void setFetcher(ContentFetcher fetcher) {
    recalls.setFetcher(fetcher);
  }

  /** The upload side of tiering: jobs, their recording, and remote garbage. */
  public Uploads uploads() {
    return uploads;
  }

  /**
   * Drops the local content of those of {@code inos} that are still clean (or stalled in their
   * recall) and not held open, pinned or truncating; returns how many (see {@link Eviction}).
   */
  public int evict(List<Long> inos) {
    return eviction.evict(inos);
  }

  /** Remote-only files used within {@code recent}, most recently used first, with their sizes. */
  public synchronized List<RemoteFile> prefetchCandidates(Duration recent) {
    long since = System.currentTimeMillis() - recent.toMillis();
    List<Long> order = new ArrayList<>();
    for (long ino : tiers.members(TierIndex.Tier.REMOTE)) {
      if (tiers.lastUsedMillis(ino) >= since) {
        order.add(ino);
      }
    }
    order.sort(Comparator.comparingLong(tiers::lastUsedMillis).reversed());
    List<RemoteFile> candidates = new ArrayList<>();
    for (long ino : order) {
      candidates.add(new RemoteFile(ino, tiers.size(ino)));
    }
    return candidates;
  }

  /**
   * A path of {@code ino} from the root ("docs/report.pdf"), for messages; "inode N" if it has
   * no name. A file's inode does not know its names, so this scans the entries: fine for a
   * message, not for a hot path.
   */
  public synchronized String pathOf(long ino) {
    List<String> names = new ArrayList<>();
    for (long at = ino; at != ROOT; ) {
      Object[] entry = entryOf(at);
      if (entry == null) {
        return "inode " + ino;
      }
      names.add(0, (String) entry[1]);
      at = (Long) entry[0];
    }
    return names.isEmpty() ? "/" : String.join("/", names);
  }

  /** The (parent, name) key of one entry naming {@code ino}, or null. */
  private Object[] entryOf(long ino) {
    Inode inode = inodeOrNull(ino);
    if (inode != null && inode.isDirectory()) {
      for (Map.Entry<String, Long> entry : directoryEntries.names(inode.parent()).entrySet()) {
        if (entry.getValue() == ino) {
          return key(inode.parent(), entry.getKey());
        }
      }
      return null;
    }
    for (Map.Entry<Object[], Long> entry : directoryEntries.table().entrySet()) {
      if (entry.getValue() == ino) {
        return entry.getKey();
      }
    }
    return null;
  }

  /** Bytes the local content occupies on disk: a stat of each file changed since the last call. */
  public long localBytes() {
    return usage.bytes();
  }

  /** Bytes free on the cache disk for an unprivileged writer, now. */
  public long freeDiskBytes() {
    try {
      return content.fileStore().getUsableSpace();
    } catch (IOException e) {
      return Long.MAX_VALUE; // cannot tell: eviction then goes by the target alone
    }
  }

  /** Every remote object a live inode refers to. */
  public synchronized Set<String> remoteKeys() {
    return tiers.remoteKeys();
  }

  /** The metadata backups kept in the remote, with when each was taken. */
  public synchronized Map<String, Long> backups() {
    return Map.copyOf(backups.read());
  }

  /** Records a backup in the remote holding tree version {@code version} (from {@link #dump}). */
  public synchronized void recordBackup(String key, long takenMillis, long version) {
    backups.put(key, takenMillis);
    metadata.setCounter(OWN_BACKUPS, metadata.counter(OWN_BACKUPS) + 1);
    if (version > metadata.counter(BACKED_UP_VERSION)) {
      metadata.setCounter(BACKED_UP_VERSION, version);
    }
  }

  /** After a restore: the backups in the remote, the newest of which holds this very tree. */
  public synchronized void recordRestoredFrom(Map<String, Long> remoteBackups) {
    backups.putAll(remoteBackups);
    metadata.setCounter(BACKED_UP_VERSION, treeVersion);
  }

  public synchronized void forgetBackup(String key) {
    backups.remove(key);
  }

  public synchronized TieringCounts tieringCounts() {
    return new TieringCounts(tiers.files(TierIndex.Tier.DIRTY), tiers.bytes(TierIndex.Tier.DIRTY),
        tiers.files(TierIndex.Tier.CLEAN), tiers.bytes(TierIndex.Tier.CLEAN),
        tiers.files(TierIndex.Tier.REMOTE), tiers.bytes(TierIndex.Tier.REMOTE), recalls.recalledFiles(), recalls.recalledBytes());
  }

  // ---- backup and restore --------------------------------------------------------------------

  /** What a restore loaded, and how many files' content was not in the remote when backed up. */
  public record RestoreReport(long inodes, long filesWithLostContent) {}

  /**
   * Writes a consistent copy of the metadata to {@code out}, as of now: the tables are copied
   * under the lock, so no operation is half in it, and made durable before the copy is written
   * out, so a dump never holds what a crash could take back. Returns the tree version it holds,
   * for {@link #recordBackup}.
   */
  public long dump(OutputStream out) throws IOException {
    long lastIno;
    long version;
    Map<Long, Inode> inodeCopy;
    Map<Object[], Long> entryCopy;
    Map<Long, String> symlinkCopy;
    Map<Object[], byte[]> xattrCopy;
    synchronized (commits.lock()) {
      synchronized (this) {
        commits.seal();
        lastIno = metadata.counter(LAST_INO);
        version = treeVersion;
        // Copies in memory take a fraction of the time a compressed dump does: operations wait only for these.
        inodeCopy = new HashMap<>(inodes.read());
        entryCopy = new LinkedHashMap<>(directoryEntries.table());
        symlinkCopy = new HashMap<>(symlinks.read());
        xattrCopy = new LinkedHashMap<>(xattrs.read());
      }
      metadata.writeSealed();
    }
    MetadataDump.write(out, lastIno, inodeCopy, entryCopy, symlinkCopy, xattrCopy);
    return version;
  }

  /**
   * Loads a dump into this store, which must be new (nothing but its root). Content comes back
   * as remote-only, as of its last upload; a file that had never been uploaded comes back empty,
   * and is counted in the report. A damaged dump ({@link DamagedDumpException}), or one whose
   * records do not add up to the tables they should fill, leaves this store half loaded: build it
   * somewhere temporary and throw it away then.
   */
  public RestoreReport load(InputStream dump) throws IOException {
    synchronized (commits.lock()) {
      synchronized (this) {
        return loadLocked(dump);
      }
    }
  }

  private RestoreReport loadLocked(InputStream dump) throws IOException {
    if (!isEmpty()) {
      throw new IOException("a restore needs a new, empty store");
    }
    long[] counts = new long[2];
    long[] records = new long[3]; // entries, symlinks, xattrs
    MetadataDump.read(dump, new MetadataDump.Loader() {
      @Override
      public void lastIno(long last) {
        metadata.setCounter(LAST_INO, last);
      }

      @Override
      public void inode(Inode inode) {
        counts[0]++;
        Inode restored = inode;
        if (inode.isRegular() && inode.remote() != null) {
          restored = new Inode(inode.ino(), inode.mode(), inode.uid(), inode.gid(), inode.nlink(), inode.remote().size(),
              inode.rdev(), inode.atime(), inode.mtime(), inode.ctime(), inode.parent(), ContentState.REMOTE, inode.remote());
        } else if (inode.isRegular() && inode.size() > 0) {
          counts[1]++;
          restored = new Inode(inode.ino(), inode.mode(), inode.uid(), inode.gid(), inode.nlink(), 0,
              inode.rdev(), inode.atime(), inode.mtime(), inode.ctime(), inode.parent(), ContentState.LOCAL_CLEAN, null);
        }
        unsaved.remove(restored.ino());
        recentInodes.remove(restored.ino());
        inodes.put(restored.ino(), restored);
        index(restored);
      }

      @Override
      public void entry(long parent, String name, long child) {
        records[0]++;
        directoryEntries.put(parent, name, child);
      }

      @Override
      public void symlink(long ino, String target) {
        records[1]++;
        symlinks.put(ino, target);
      }

      @Override
      public void xattr(long ino, String name, byte[] value) {
        records[2]++;
        xattrs.put(key(ino, name), value);
        if (PIN.equals(name)) {
          holds.pin(ino, true);
        }
      }
    });
    // A record read twice, or a root missing, shows here: each record must have filled one row.
    requireRestored("inodes", counts[0], inodes.read().sizeLong());
    requireRestored("directory entries", records[0], directoryEntries.table().size());
    requireRestored("symlinks", records[1], symlinks.read().size());
    requireRestored("xattrs", records[2], xattrs.read().size());
    commits.commitLocked();
    nextIno = reservedUpTo = metadata.counter(LAST_INO);
    return new RestoreReport(counts[0], counts[1]);
  }

  private static void requireRestored(String what, long declared, long restored) throws DamagedDumpException {
    if (declared != restored) {
      throw new DamagedDumpException("it declares " + declared + " " + what + " but " + restored + " were restored");
    }
  }

  /** The remote objects a dump refers to: what a kept backup needs kept. */
  public static Set<String> remoteKeysIn(InputStream dump) throws IOException {
    Set<String> keys = new HashSet<>();
    MetadataDump.read(dump, inode -> {
      if (inode.remoteKey() != null) {
        keys.add(inode.remoteKey());
      }
    });
    return keys;
  }

  /**
   * Whether this store has taken a metadata backup itself. Until it has, nothing proves that the
   * bucket's backups describe this tree, so garbage collection must not trust it.
   */
  public synchronized boolean hasOwnBackup() {
    return metadata.counter(OWN_BACKUPS) > 0;
  }

  /** When the newest backup in the remote was taken (ms), or 0 if there is none. */
  public synchronized long newestBackupMillis() {
    return backups.read().values().stream().mapToLong(Long::longValue).max().orElse(0);
  }

  /** Whether the tree changed since the newest backup was taken. */
  public synchronized boolean changedSinceBackup() {
    return treeVersion != metadata.counter(BACKED_UP_VERSION);
  }

  // ---- which filesystem ----------------------------------------------------------------------

  /**
   * Which filesystem this store holds: the name its objects are kept under in the remote, and
   * the id that tells it from any other filesystem ever given that name.
   */
  public record Identity(String name, String id) {}

  /** This store's identity, or null before its first claim on a remote. */
  public synchronized Identity identity() {
    String name = metadata.properties.get(FILESYSTEM_NAME);
    String id = metadata.properties.get(FILESYSTEM_ID);
    return name == null || id == null ? null : new Identity(name, id);
  }

  /** Records this store's identity, durably. */
  public void setIdentity(Identity identity) {
    synchronized (this) {
      metadata.properties.put(FILESYSTEM_NAME, identity.name());
      metadata.properties.put(FILESYSTEM_ID, identity.id());
    }
    sync();
  }

  /** True if the store holds nothing but an empty root: a new filesystem. */
  public synchronized boolean isEmpty() {
    return directoryEntries.table().isEmpty() && inodes.read().sizeLong() + unsavedNewInodes() <= 1;
  }

  private long unsavedNewInodes() {
    return unsaved.keySet().stream().filter(ino -> !inodes.containsKey(ino)).count();
  }

  // ---- whole store ---------------------------------------------------------------------------

  /**
   * What df shows. Summing the files' sizes visits every file, so the sum is kept for a second:
   * a program that polls statfs must not cost a scan per call.
   */
  public synchronized FsStats stats() {
    long now = System.nanoTime();
    if (stats == null || now - statsAt > STATS_TTL_NANOS) {
      TieringCounts counts = tieringCounts();
      stats = new FsStats(counts.dirtyBytes() + counts.cleanBytes() + counts.remoteBytes(), inodes.read().sizeLong());
      statsAt = now;
    }
    return stats;
  }

  /**
   * Makes every change so far durable (fsync, fsyncdir, unmount); see {@link GroupCommit#sync}.
   */
  public void sync() {
    commits.sync();
  }

  @Override
  public void close() {
    recalls.shutdown();
    settleRecalls();
    dropUnfinishedRecalls();
    commits.stop();
    synchronized (this) {
      if (inUse) {
        metadata.setCounter(IN_USE, 0);
      }
    }
    sync();
    synchronized (commits.lock()) {
      synchronized (this) {
        try {
          metadata.close();
        } catch (IOException e) {
          // The journal holds every commit; the next open rebuilds the index from it.
          LOG.log(Level.WARNING, "closing the metadata failed (" + e.getMessage() + "); the next open rebuilds it");
        } finally {
          content.close();
        }
      }
    }
  }

  /**
   * The partial content of recalls the unmount cut short goes, as after a crash: the next recall
   * of those files starts from nothing, and the bytes would only sit on the disk until then.
   */
  private synchronized void dropUnfinishedRecalls() {
    for (long ino : recalls.inos()) {
      recalls.drop(ino);
      content.delete(ino);
      usage.emptied(ino);
    }
  }

  /** Moves the inode records kept in memory into the table, for {@link GroupCommit}'s next record. */
  private void takeChanges() {
    inodes.putAll(unsaved);
    recentInodes.putAll(unsaved);
    unsaved.clear();
    metadata.setCounter(TREE_VERSION, treeVersion);
  }

  /**
   * A new inode number. Numbers are reserved from the stored counter a block at a time, so that
   * a create does not write the counter; a crash skips the rest of a block, and no number is
   * ever handed out twice.
   */
  private long allocateIno() {
    if (nextIno == reservedUpTo) {
      reservedUpTo = metadata.counter(LAST_INO) + INO_BLOCK;
      metadata.setCounter(LAST_INO, reservedUpTo);
      nextIno = reservedUpTo - INO_BLOCK;
    }
    return ++nextIno;
  }

  // ---- helpers -------------------------------------------------------------------------------

  private Inode inode(long ino) throws FsException {
    Inode inode = inodeOrNull(ino);
    if (inode == null) {
      throw new FsException(ENOENT, "no inode " + ino);
    }
    return inode;
  }

  synchronized Inode inodeOrNull(long ino) {
    Inode inode = unsaved.get(ino);
    if (inode == null) {
      inode = recentInodes.get(ino);
    }
    if (inode == null) {
      inode = inodes.get(ino);
      if (inode != null) {
        recentInodes.put(ino, inode);
      }
    }
    return inode;
  }

  private Inode directory(long ino) throws FsException {
    Inode inode = inode(ino);
    if (!inode.isDirectory()) {
      throw new FsException(ENOTDIR, "inode " + ino + " is not a directory");
    }
    return inode;
  }

  void save(Inode inode) {
    saveUnversioned(inode);
    treeVersion++;
  }

  /**
   * Saves a change a metadata backup need not carry, so it does not make one due: an access
   * time, or content moving between local and remote with the same remote copy (a restore makes
   * every file remote-only anyway). So a mount that is only read makes no remote calls.
   */
  void saveUnversioned(Inode inode) {
    unsaved.put(inode.ino(), inode);
    index(inode);
  }

  private void index(Inode inode) {
    if (inode.isRegular()) {
      tiers.index(inode);
    }
  }

  /** A directory's entries changed: mtime and ctime are now, and nlink moves with subdirectories. */
  private void touchDirectory(long ino, int subdirectoryDelta, Timespec now) throws FsException {
    Inode dir = inode(ino);
    save(dir.withNlink(dir.nlink() + subdirectoryDelta, now).withTimes(dir.atime(), now, now));
  }

  /**
   * Every name a call takes, looked up or created, passes here: one rule for every call. Names
   * are byte strings held as text: a byte that is not UTF-8 is the lone surrogate U+DC00 + byte,
   * which the UTF-8 encoder turns into one '?', so the encoded length is the name's byte length.
   */
  private static void checkName(String name) throws FsException {
    // A char is at most 3 UTF-8 bytes: short names (every lookup on the path walk) skip the encoding.
    if (name.length() * 3 > NAME_MAX && name.getBytes(StandardCharsets.UTF_8).length > NAME_MAX) {
      throw new FsException(ENAMETOOLONG, "name longer than " + NAME_MAX + " bytes");
    }
  }

  static Object[] key(long ino, String name) {
    return new Object[] {ino, name};
  }
}
