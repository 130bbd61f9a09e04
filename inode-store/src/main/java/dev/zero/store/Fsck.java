package dev.zero.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a store and its cache directory: every entry names a live inode, link counts match
 * the entries, directories form a tree, every file's content is where its state says, no
 * orphans or stray local files are left. Each problem is one line a person can act on. With
 * repair, what can be fixed without guessing is fixed, and files that cannot be reached, or
 * whose content is gone, are moved into /lost+found.
 *
 * <p>After a {@link #salvage} the metadata is in doubt: the records after the damage are gone,
 * so local content no kept inode explains, or longer than a kept size, may be the newest
 * there is. Then no content file is deleted or cut: such files go to /lost+found, or keep
 * their bytes.
 */
public final class Fsck {
  private static final String LOST_AND_FOUND = "lost+found";

  /** What the remote holds: each content object's size, listed once (a bounded number of calls). */
  public interface RemoteListing {
    Map<String, Long> objects() throws IOException;
  }

  /**
   * @param problems what is wrong
   * @param leftovers what a crash leaves by design and the next mount tidies (content files of
   *     creates never committed, recalls cut short, writes whose new size was not committed):
   *     reported, but not problems
   */
  public record Result(List<String> problems, List<String> leftovers, int repaired) {}

  private final InodeStore store;
  private final boolean repair;
  private final boolean salvaged;
  private final List<String> problems = new ArrayList<>();
  private final List<String> leftovers = new ArrayList<>();
  private final Map<Long, String> pathOf = new HashMap<>();
  private final Map<Long, Integer> names = new HashMap<>();
  private final Map<Long, Integer> subdirectories = new HashMap<>();
  private final List<Long> toLostAndFound = new ArrayList<>();
  /** Content files no kept inode explains, with their name in /lost+found. */
  private final Map<Path, String> toAdopt = new HashMap<>();
  private int repaired;

  private Fsck(InodeStore store, boolean repair, boolean salvaged) {
    this.store = store;
    this.repair = repair;
    this.salvaged = salvaged;
  }

  /**
   * Keeps what is intact of a damaged metadata journal or checkpoint (see {@link Salvage}): one
   * line per salvaged file, none if nothing is damaged. Run the repair with {@code salvaged} after it.
   */
  public static List<String> salvage(Path metadataFile) throws IOException {
    return Salvage.run(metadataFile);
  }

  /**
   * Runs the check. {@code remote} (null to skip) is listed once; {@code deep} (null to skip)
   * downloads every remote copy to compare it with the local content, or to read it whole.
   */
  public static Result run(InodeStore store, RemoteListing remote, ContentFetcher deep, boolean repair) throws IOException {
    return run(store, remote, deep, repair, false);
  }

  /** {@code salvaged}: the metadata was just salvaged, so content files are kept whatever it says. */
  public static Result run(InodeStore store, RemoteListing remote, ContentFetcher deep, boolean repair, boolean salvaged)
      throws IOException {
    Fsck fsck = new Fsck(store, repair, salvaged);
    synchronized (store) {
      if (salvaged && repair) {
        store.markHandedOut(fsck.highestContentIno());
      }
      fsck.walkTree();
      fsck.checkInodes(remote == null ? null : remote.objects(), deep);
      fsck.checkStrayContent();
      fsck.moveToLostAndFound();
    }
    if (repair) {
      store.sync();
    }
    return new Result(fsck.problems, fsck.leftovers, fsck.repaired);
  }

  private void problem(String line, boolean fixable) {
    problems.add(line + (repair && fixable ? " (repaired)" : ""));
    if (repair && fixable) {
      repaired++;
    }
  }

  /** Walks from the root, so every directory is reached once; a second name of one is a cycle. */
  private void walkTree() {
    Deque<Long> directories = new ArrayDeque<>(List.of(InodeStore.ROOT));
    pathOf.put(InodeStore.ROOT, "/");
    while (!directories.isEmpty()) {
      long dir = directories.poll();
      String dirPath = pathOf.get(dir);
      for (Map.Entry<String, Long> entry : store.namesIn(dir).entrySet()) {
        String name = entry.getKey();
        String path = (dirPath.equals("/") ? "/" : dirPath + "/") + name;
        long child = entry.getValue();
        Inode inode = store.inodeOrNull(child);
        if (inode == null) {
          problem(path + ": the entry names inode " + child + ", which does not exist; the entry should go", true);
          if (repair) {
            store.dropName(dir, name);
          }
          continue;
        }
        if (inode.isDirectory() && pathOf.containsKey(child)) {
          problem(path + ": a second name of directory " + pathOf.get(child) + " (a cycle); the second name should go", true);
          if (repair) {
            store.dropName(dir, name);
          }
          continue;
        }
        names.merge(child, 1, Integer::sum);
        pathOf.putIfAbsent(child, path);
        if (inode.isDirectory()) {
          subdirectories.merge(dir, 1, Integer::sum);
          if (inode.parent() != dir) {
            problem(path + ": the directory records parent " + inode.parent() + " but is in " + dir, true);
            if (repair) {
              store.save(inode.withParent(dir, inode.ctime()));
            }
          }
          directories.add(child);
        }
      }
    }
  }

  private void checkInodes(Map<String, Long> remoteObjects, ContentFetcher deep) throws IOException {
    for (long ino : store.inodeNumbers()) {
      Inode inode = store.inodeOrNull(ino);
      String path = pathOf.getOrDefault(ino, "inode " + ino);
      int nameCount = names.getOrDefault(ino, 0);
      if (inode.nlink() == 0) {
        if (store.isOrphan(ino)) {
          // Unlinked while open, or while the kernel still held it: freed at the next mount.
          leftovers.add(path + ": an orphan the last mount did not free (it stopped while the file was in use)");
        } else {
          problem(path + ": no name and not an orphan; it should be freed", true);
        }
        if (repair) {
          store.free(inode);
        }
        continue;
      }
      if (ino != InodeStore.ROOT && nameCount == 0) {
        problem(path + ": has " + inode.nlink() + " links but no name; it goes to /" + LOST_AND_FOUND, true);
        toLostAndFound.add(ino);
        continue;
      }
      int expected = inode.isDirectory() ? 2 + subdirectories.getOrDefault(ino, 0) : nameCount;
      if (inode.nlink() != expected) {
        problem(path + ": link count is " + inode.nlink() + " but should be " + expected, true);
        if (repair) {
          store.save(inode.withNlink(expected, inode.ctime()));
        }
      }
      if (inode.isSymlink() && !store.hasSymlinkTarget(ino)) {
        problem(path + ": symlink without a target; it goes to /" + LOST_AND_FOUND, true);
        toLostAndFound.add(ino);
      }
      if (inode.isRegular()) {
        checkContent(inode, path, remoteObjects, deep);
      }
    }
  }

  private void checkContent(Inode inode, String path, Map<String, Long> remoteObjects, ContentFetcher deep) throws IOException {
    Path local = store.content().path(inode.ino());
    long localSize = store.content().localLength(inode.ino());
    RemoteCopy remote = inode.remote();
    if (remote != null && remoteObjects != null && !Long.valueOf(remote.size()).equals(remoteObjects.get(remote.key()))) {
      boolean needed = inode.content() == ContentState.REMOTE;
      problem(path + ": its remote copy " + remote.key() + (remoteObjects.containsKey(remote.key())
          ? " is " + remoteObjects.get(remote.key()) + " bytes, not " + remote.size() : " is missing from the remote")
          + (needed ? "; the content is lost and the file goes to /" + LOST_AND_FOUND : "; it will be uploaded again"), true);
      if (needed) {
        toLostAndFound.add(inode.ino());
      } else if (repair) {
        store.save(inode.withContentState(ContentState.LOCAL_DIRTY, null));
      }
      return;
    }
    switch (inode.content()) {
      case LOCAL_DIRTY, LOCAL_CLEAN -> {
        if (ContentStore.holds(localSize, inode.size())) {
          if (deep != null && inode.content() == ContentState.LOCAL_CLEAN) {
            compareWithRemote(inode, path, local, deep);
          }
          return;
        }
        if (localSize >= 0 && salvaged) {
          problem(path + ": " + localSize + " local bytes for a kept size of " + inode.size()
              + "; the records of later writes went with the damage, so the file keeps its " + localSize + " bytes", true);
          if (repair) {
            store.save(inode.withData(localSize, inode.ctime()));
          }
          return;
        }
        if (localSize >= 0) {
          leftovers.add(path + ": " + localSize + " local bytes for a committed size of " + inode.size()
              + " (writes a crash cut off); the next mount cuts or zero-extends them to the size");
          if (repair) {
            try {
              store.content().truncate(inode.ino(), inode.size());
            } catch (FsException e) {
              throw new IOException(e.getMessage(), e);
            }
            store.save(inode.withContentState(ContentState.LOCAL_DIRTY, remote));
          }
          return;
        }
        if (inode.content() == ContentState.LOCAL_CLEAN) {
          problem(path + ": the local copy is " + describe(localSize) + " but the file is " + inode.size()
              + " bytes; the remote copy is whole, so the file becomes remote-only", true);
          if (repair) {
            store.save(inode.withContentState(ContentState.REMOTE, remote));
          }
        } else {
          problem(path + ": the local content is " + describe(localSize) + " but the file is " + inode.size()
              + " bytes and was never uploaded; the file goes to /" + LOST_AND_FOUND, true);
          toLostAndFound.add(inode.ino());
        }
      }
      case REMOTE -> {
        if (remote == null) {
          problem(path + ": remote-only but with no remote copy; the file goes to /" + LOST_AND_FOUND, true);
          toLostAndFound.add(inode.ino());
        } else if (deep != null) {
          readWhole(inode, path, deep);
        }
      }
    }
  }

  private static String describe(long localSize) {
    return localSize < 0 ? "missing" : localSize + " bytes";
  }

  private void compareWithRemote(Inode inode, String path, Path local, ContentFetcher deep) throws IOException {
    Path copy = Files.createTempFile("zero-fsck-", ".tmp");
    try {
      fetchWhole(inode.remote(), copy, deep);
      if (Files.mismatch(local, copy) != -1) {
        problem(path + ": the local copy differs from its remote copy " + inode.remote().key() + "; it will be uploaded again", true);
        if (repair) {
          store.save(inode.withContentState(ContentState.LOCAL_DIRTY, inode.remote()));
        }
      }
    } finally {
      Files.deleteIfExists(copy);
    }
  }

  private void readWhole(Inode inode, String path, ContentFetcher deep) throws IOException {
    Path copy = Files.createTempFile("zero-fsck-", ".tmp");
    try {
      long got = fetchWhole(inode.remote(), copy, deep);
      if (got != inode.remote().size()) {
        problem(path + ": its remote copy " + inode.remote().key() + " reads back " + got + " bytes, not " + inode.remote().size(), false);
      }
    } catch (IOException e) {
      problem(path + ": its remote copy " + inode.remote().key() + " cannot be read: " + e.getMessage(), false);
    } finally {
      Files.deleteIfExists(copy);
    }
  }

  private static long fetchWhole(RemoteCopy remote, Path target, ContentFetcher deep) throws IOException {
    try (FileChannel out = FileChannel.open(target, StandardOpenOption.WRITE)) {
      return remote.size() == 0 ? 0 : deep.fetch(remote.key(), 0, remote.size(), out);
    }
  }

  /** Local files of no inode, or of a remote-only inode (a recall cut short), are stray. */
  private void checkStrayContent() throws IOException {
    for (Path file : store.content().allFiles()) {
      long ino = ContentStore.inoOf(file);
      if (ino < 0) {
        problem(file + ": not a content file; it should be removed", true);
        deleteIfRepairing(file);
        continue;
      }
      Inode inode = store.inodeOrNull(ino);
      if (salvaged && (inode == null || !inode.isRegular())) {
        problem(file + ": local content of inode " + ino + ", which the kept metadata does not know; it goes to /"
            + LOST_AND_FOUND + " as #" + ino, true);
        toAdopt.put(file, "#" + ino);
      } else if (salvaged && inode.content() == ContentState.REMOTE && Files.size(file) > 0) {
        String path = pathOf.getOrDefault(ino, "inode " + ino);
        problem(path + ": remote-only in the kept metadata, yet " + Files.size(file) + " local bytes are there; they go to /"
            + LOST_AND_FOUND + " as #" + ino + ".local", true);
        toAdopt.put(file, "#" + ino + ".local");
      } else if (inode == null || !inode.isRegular()) {
        leftovers.add(file + ": local content of inode " + ino + ", which does not exist (a create a crash cut off)");
        deleteIfRepairing(file);
      } else if (inode.content() == ContentState.REMOTE && Files.size(file) > 0) {
        leftovers.add(file + ": a recall of " + pathOf.getOrDefault(ino, "inode " + ino) + " cut short");
        deleteIfRepairing(file);
      }
    }
  }

  private long highestContentIno() throws IOException {
    long highest = 0;
    for (Path file : store.content().allFiles()) {
      highest = Math.max(highest, ContentStore.inoOf(file));
    }
    return highest;
  }

  private void deleteIfRepairing(Path file) throws IOException {
    if (repair) {
      Files.deleteIfExists(file);
    }
  }

  /** Gives each inode that lost its place a name in /lost+found: #INO. */
  private void moveToLostAndFound() {
    if (!repair || (toLostAndFound.isEmpty() && toAdopt.isEmpty())) {
      return;
    }
    try {
      long lostAndFound = store.lostAndFound(LOST_AND_FOUND);
      for (long ino : toLostAndFound) {
        Inode inode = store.inodeOrNull(ino);
        if (inode.isRegular() && inode.content() != ContentState.REMOTE) {
          long kept = Math.max(0, sizeOnDisk(ino));
          inode = new Inode(ino, inode.mode(), inode.uid(), inode.gid(), inode.nlink(), kept, inode.rdev(),
              inode.atime(), inode.mtime(), inode.ctime(), inode.parent(), ContentState.LOCAL_DIRTY, inode.remote());
        } else if (inode.isRegular()) {
          inode = new Inode(ino, inode.mode(), inode.uid(), inode.gid(), inode.nlink(), 0, inode.rdev(),
              inode.atime(), inode.mtime(), inode.ctime(), inode.parent(), ContentState.LOCAL_DIRTY, null);
        }
        store.replaceNames(inode, lostAndFound, "#" + ino);
      }
      for (Map.Entry<Path, String> adopted : toAdopt.entrySet()) {
        store.adoptContent(adopted.getKey(), lostAndFound, adopted.getValue());
      }
    } catch (FsException | IOException e) {
      problems.add("could not fill /" + LOST_AND_FOUND + ": " + e.getMessage());
    }
  }

  private long sizeOnDisk(long ino) throws IOException {
    Path local = store.content().path(ino);
    return Files.exists(local) ? Files.size(local) : 0;
  }
}
