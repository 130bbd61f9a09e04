package dev.zero.store;

import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mapdb.HTreeMap;

/**
 * The upload side of tiering: which dirty files are due for upload, as of which version of their
 * content, and which remote objects no inode refers to any more (garbage for the remote to
 * delete). An upload is recorded only if the file is still as the job found it, so a file
 * written during its upload stays dirty and goes again. Guarded by the store's monitor.
 */
public final class Uploads {
  private static final System.Logger LOG = System.getLogger(Uploads.class.getName());

  /** A dirty file to upload, as of {@code version}; {@link #uploaded} tells if it still is. */
  public record UploadJob(long ino, long version, long size, Path file) {}

  private final InodeStore store;
  private final Holds holds;
  private final TierIndex tiers;
  private final ContentStore content;
  private final LocalUsage usage;
  private final JournaledMap<String, Long, HTreeMap<String, Long>> garbage;
  /** Bumped by every content change, so an upload can tell whether the file changed under it. */
  private final Map<Long, Long> versions = new HashMap<>();

  Uploads(InodeStore store, Holds holds, TierIndex tiers, ContentStore content, LocalUsage usage,
      JournaledMap<String, Long, HTreeMap<String, Long>> garbage) {
    this.store = store;
    this.holds = holds;
    this.tiers = tiers;
    this.content = content;
    this.usage = usage;
    this.garbage = garbage;
  }

  /**
   * Dirty files that nobody has open for writing and that were last modified at least {@code
   * quiet} ago: a file being written is not uploaded half-written.
   */
  public List<UploadJob> jobs(Duration quiet) {
    long cutoffSeconds = (System.currentTimeMillis() - quiet.toMillis()) / 1000;
    List<UploadJob> jobs = new ArrayList<>();
    synchronized (store) {
      for (long ino : tiers.members(TierIndex.Tier.DIRTY)) {
        Inode inode = store.inodeOrNull(ino);
        // By ctime, which every change moves and no program sets: tar, cp -a and git set old
        // mtimes on what they have just written, and a future mtime would hold a file back.
        if (inode != null && !holds.isWritten(ino) && inode.ctime().sec() <= cutoffSeconds) {
          if (inode.size() == 0 && !Files.exists(content.path(ino))) {
            createEmptyContent(ino); // a file made by mknod and never opened has no content file yet
          }
          jobs.add(new UploadJob(ino, versions.getOrDefault(ino, 0L), inode.size(), content.path(ino)));
        }
      }
    }
    return jobs;
  }

  private void createEmptyContent(long ino) {
    usage.changed(ino);
    try {
      content.truncate(ino, 0);
    } catch (FsException e) {
      LOG.log(Level.WARNING, e.getMessage());
    }
  }

  /**
   * Whether the file is still as the job found it: not written, cut or freed since. An upload of
   * a file that changed under it fails or is refused by {@link #uploaded}, as it should.
   */
  public boolean isCurrent(UploadJob job) {
    synchronized (store) {
      return isCurrent(job.ino(), job.version());
    }
  }

  private boolean isCurrent(long ino, long version) {
    Inode inode = store.inodeOrNull(ino);
    return inode != null && inode.content() == ContentState.LOCAL_DIRTY && versions.getOrDefault(ino, 0L) == version;
  }

  /**
   * Records that {@code key}, an object of {@code bytes} bytes, holds the content of {@code ino}
   * as of {@code version}. If the file changed, went away or was opened for writing meanwhile, or
   * the object's size is not the file's, the new object is garbage and false is returned; the
   * file stays dirty and is uploaded again later. The object it replaces becomes garbage.
   */
  public boolean uploaded(long ino, long version, String key, long bytes) {
    synchronized (store) {
      Inode inode = store.inodeOrNull(ino);
      if (!isCurrent(ino, version) || holds.isWritten(ino) || bytes != inode.size()) {
        if (inode != null && bytes != inode.size() && versions.getOrDefault(ino, 0L) == version) {
          LOG.log(Level.WARNING, "the upload of inode " + ino + " read " + bytes + " bytes, but the file has "
              + inode.size() + "; it stays dirty and is uploaded again");
        }
        discard(key);
        return false;
      }
      if (inode.remoteKey() != null && !inode.remoteKey().equals(key)) {
        discard(inode.remoteKey());
      }
      store.save(inode.withContentState(ContentState.LOCAL_CLEAN, new RemoteCopy(key, inode.size())));
      return true;
    }
  }

  /** An object that no inode refers to (a failed or superseded upload): delete it from the remote. */
  public void discard(String key) {
    synchronized (store) {
      if (!garbage.containsKey(key)) {
        garbage.put(key, System.currentTimeMillis());
      }
    }
  }

  /** Unreferenced remote objects, with when each stopped being referenced. */
  public Map<String, Long> garbage() {
    synchronized (store) {
      return Map.copyOf(garbage.read());
    }
  }

  /** The remote deleted {@code key}: it is garbage no more. */
  public void deleted(String key) {
    synchronized (store) {
      garbage.remove(key);
    }
  }

  /** The file's content changed: a job taken before is not current any more. Under the store's monitor. */
  void contentChanged(long ino) {
    versions.merge(ino, 1L, Long::sum);
  }

  /** The inode was freed. Under the store's monitor. */
  void freed(long ino) {
    versions.remove(ino);
  }
}
