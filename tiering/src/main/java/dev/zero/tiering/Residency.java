package dev.zero.tiering;

import dev.zero.store.DirEntry;
import dev.zero.store.FsException;
import dev.zero.store.InodeStore;
import dev.zero.store.Placement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What stays local, as the user sees and steers it: the state of files ({@code zero-cli ls},
 * {@code status PATH}), pins that keep trees local, and eviction and recall of trees on demand.
 * Paths are relative to the filesystem's root. Walks take the store's lock per directory, never
 * for a whole tree, and recalls run outside it.
 */
public final class Residency {
  /** Recalls at once: enough to keep a remote busy without flooding it (B2 answers each call in tens of ms). */
  private static final int PARALLEL_RECALLS = 8;

  private final InodeStore store;
  private final TieringEngine engine;

  public Residency(InodeStore store, TieringEngine engine) {
    this.store = store;
    this.engine = engine;
  }

  /** A file found under a path the user named. */
  public record Found(String path, Placement placement) {}

  /** Files, and bytes, in each residence; pinned ones also counted apart. */
  public record Totals(Map<Placement.Residence, long[]> byResidence, long pinnedFiles, long pinnedBytes) {
    public long files(Placement.Residence residence) {
      return byResidence.get(residence)[0];
    }

    public long bytes(Placement.Residence residence) {
      return byResidence.get(residence)[1];
    }
  }

  /** What pin, fetch or evict did: files and bytes moved, the files passed over and why, and failures. */
  public record Outcome(long files, long bytes, List<String> skipped, List<String> failures) {}

  /** Told after each file a recall finished. */
  public interface Progress {
    void recalled(long files, long totalFiles, long bytes, long totalBytes);
  }

  /** Pinning would keep more local than the target allows. */
  public static final class OverTargetException extends Exception {
    OverTargetException(String message) {
      super(message, null, false, false);
    }
  }

  /** Each path, and with {@code recursive} every file under the directories among them. */
  public List<Found> list(List<String> paths, boolean recursive) throws FsException {
    List<Found> found = new ArrayList<>();
    for (String path : paths) {
      long ino = store.resolve(path);
      Placement placement = store.state(ino);
      if (placement.isDirectory()) {
        for (DirEntry entry : store.entries(ino)) {
          String child = join(path, entry.name());
          if (recursive) {
            walk(child, entry.ino(), found::add);
          } else {
            found.add(new Found(child, store.state(entry.ino())));
          }
        }
      } else {
        found.add(new Found(path, placement));
      }
    }
    return found;
  }

  /** The regular files of the tree at {@code path}, summed by residence. */
  public Totals sum(String path) throws FsException {
    Map<Placement.Residence, long[]> totals = new EnumMap<>(Placement.Residence.class);
    for (Placement.Residence residence : Placement.Residence.values()) {
      totals.put(residence, new long[2]);
    }
    long[] pinned = new long[2];
    walk(path, store.resolve(path), found -> {
      Placement placement = found.placement();
      if (placement.residence() != null) {
        long[] counts = totals.get(placement.residence());
        counts[0]++;
        counts[1] += placement.size();
        if (placement.pinned()) {
          pinned[0]++;
          pinned[1] += placement.size();
        }
      }
    });
    return new Totals(totals, pinned[0], pinned[1]);
  }

  /**
   * Pins the trees at {@code paths} (directories too, so what is made in them later is pinned),
   * then recalls what of them is remote. Refused before anything changes if the pinned files
   * would then hold more than the target.
   */
  public Outcome pin(List<String> paths, Progress progress) throws FsException, OverTargetException {
    Map<Long, Found> tree = trees(paths, true);
    long adding = tree.values().stream()
        .filter(found -> found.placement().residence() != null && !found.placement().pinned())
        .mapToLong(found -> found.placement().size()).sum();
    long pinnedNow = store.pinnedBytes();
    long target = engine.policy().targetBytes();
    if (pinnedNow + adding > target) {
      throw new OverTargetException("pinning these " + Bytes.human(adding) + " would keep " + Bytes.human(pinnedNow + adding)
          + " pinned, over the target of " + Bytes.human(target) + " (" + Bytes.human(pinnedNow)
          + " pinned already); pin less, unpin something, or raise targetDiskUsage.");
    }
    for (long ino : tree.keySet()) {
      store.setPinned(ino, true);
    }
    return recall(tree, progress);
  }

  /** Unpins the trees at {@code paths}; returns how many inodes were pinned. */
  public long unpin(List<String> paths) throws FsException {
    long unpinned = 0;
    for (Map.Entry<Long, Found> entry : trees(paths, true).entrySet()) {
      if (entry.getValue().placement().pinned()) {
        store.setPinned(entry.getKey(), false);
        unpinned++;
      }
    }
    return unpinned;
  }

  /** Recalls what is remote in the trees at {@code paths}, without pinning it. */
  public Outcome fetch(List<String> paths, Progress progress) throws FsException {
    return recall(trees(paths, false), progress);
  }

  /**
   * Frees the local space of the trees at {@code paths} now: uploads what is dirty in them, then
   * evicts every file that is then clean, and the part of a file recalled so far. Open and pinned
   * files are skipped, and named.
   */
  public Outcome evict(List<String> paths) throws FsException {
    Map<Long, Found> files = trees(paths, false);
    TierReport uploads = engine.upload(files.keySet());
    List<String> skipped = new ArrayList<>();
    List<Long> evictable = new ArrayList<>();
    long bytes = 0;
    for (Map.Entry<Long, Found> file : files.entrySet()) {
      Placement now = store.state(file.getKey());
      String path = file.getValue().path();
      if (now.localBytes() == 0) {
        continue; // nothing local to free
      } else if (now.pinned()) {
        skipped.add(path + " (pinned: unpin it first)");
      } else if (store.isOpen(file.getKey())) {
        skipped.add(path + " (open)");
      } else if (now.residence() != Placement.Residence.SYNCED && now.residence() != Placement.Residence.PARTIAL) {
        skipped.add(path + " (not uploaded: " + (uploads.errors() > 0 ? "the upload failed" : "it is being written") + ")");
      } else {
        evictable.add(file.getKey());
        bytes += now.localBytes();
      }
    }
    long evicted = evictable.isEmpty() ? 0 : store.evict(evictable);
    evictable.forEach(store::forgetRecentUse); // else the next pass would prefetch them right back
    if (evicted < evictable.size()) {
      skipped.add((evictable.size() - evicted) + " files opened or changed meanwhile");
    }
    return new Outcome(evicted, bytes, skipped, uploads.problems());
  }

  /** Recalls the remote files among {@code files} in parallel, telling {@code progress} after each. */
  private Outcome recall(Map<Long, Found> files, Progress progress) {
    List<Found> remote = files.values().stream()
        .filter(found -> found.placement().residence() == Placement.Residence.REMOTE
            || found.placement().residence() == Placement.Residence.PARTIAL)
        .toList();
    long totalBytes = remote.stream().mapToLong(found -> found.placement().size()).sum();
    AtomicLong doneFiles = new AtomicLong();
    AtomicLong doneBytes = new AtomicLong();
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    ExecutorService recalls = Executors.newFixedThreadPool(PARALLEL_RECALLS, runnable -> {
      Thread thread = new Thread(runnable, "zero-fetch");
      thread.setDaemon(true);
      return thread;
    });
    try {
      List<Future<?>> running = new ArrayList<>();
      for (Found found : remote) {
        running.add(recalls.submit(() -> {
          try {
            store.ensureLocal(found.placement().ino(), 0, Long.MAX_VALUE);
            long bytes = doneBytes.addAndGet(found.placement().size());
            progress.recalled(doneFiles.incrementAndGet(), remote.size(), bytes, totalBytes);
          } catch (FsException e) {
            failures.add(found.path() + ": " + e.getMessage());
          }
        }));
      }
      for (Future<?> recall : running) {
        recall.get();
      }
    } catch (Exception e) {
      failures.add("recall interrupted: " + e);
    } finally {
      recalls.shutdownNow();
    }
    store.settleRecalls(); // recalled files are local now, durably
    return new Outcome(doneFiles.get(), doneBytes.get(), List.of(), List.copyOf(failures));
  }

  /**
   * Every inode of the trees at {@code paths}, by number (a hard-linked file once): regular
   * files, and with {@code withDirectories} the directories too.
   */
  private Map<Long, Found> trees(List<String> paths, boolean withDirectories) throws FsException {
    Map<Long, Found> inodes = new LinkedHashMap<>();
    for (String path : paths) {
      walk(path, store.resolve(path), withDirectories, found -> inodes.putIfAbsent(found.placement().ino(), found));
    }
    return inodes;
  }

  /** Visits the regular files of the tree at {@code ino}, depth first. */
  private void walk(String path, long ino, Consumer<Found> visitor) throws FsException {
    walk(path, ino, false, visitor);
  }

  private void walk(String path, long ino, boolean withDirectories, Consumer<Found> visitor) throws FsException {
    Placement placement = store.state(ino);
    if (!placement.isDirectory()) {
      if (placement.residence() != null) {
        visitor.accept(new Found(path, placement));
      }
      return;
    }
    if (withDirectories) {
      visitor.accept(new Found(path, placement));
    }
    for (DirEntry entry : store.entries(ino)) {
      walk(join(path, entry.name()), entry.ino(), withDirectories, visitor);
    }
  }

  private static String join(String directory, String name) {
    return directory.isEmpty() || directory.equals("/") ? name : directory + "/" + name;
  }
}
