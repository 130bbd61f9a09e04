package dev.zero.store;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.mapdb.BTreeMap;

/**
 * The directory entries: (directory, name) to inode number, in MapDB's B-tree, and for the
 * directories listed or made lately a whole copy in memory. A MapDB read decodes B-tree nodes
 * anew each time; a listing, a lookup or a check that a new name is free in a recent directory
 * decodes nothing. Every change goes through here, to the table (and so the journal) and to the
 * copy, so the copy is never stale. Not thread-safe: the store's monitor guards it.
 */
final class DirectoryEntries {
  /**
   * At most this many entries are held in memory, about 10 MB, each directory counting one more
   * than it holds (so that empty ones count too); a larger directory is never held.
   */
  private static final int MAX_HELD_ENTRIES = 100_000;

  private final JournaledMap<Object[], Long, BTreeMap<Object[], Long>> table;
  private final int maxHeldEntries;
  /** Whole directories, least recently used first. */
  private final LinkedHashMap<Long, TreeMap<String, Long>> held = new LinkedHashMap<>(256, 0.75f, true);
  /** What {@link #held} costs: its entries, plus one per directory. */
  private int heldEntries;

  DirectoryEntries(JournaledMap<Object[], Long, BTreeMap<Object[], Long>> table) {
    this(table, MAX_HELD_ENTRIES);
  }

  DirectoryEntries(JournaledMap<Object[], Long, BTreeMap<Object[], Long>> table, int maxHeldEntries) {
    this.table = table;
    this.maxHeldEntries = maxHeldEntries;
  }

  /** The inode {@code name} in {@code dir} names, or null. */
  Long child(long dir, String name) {
    TreeMap<String, Long> names = held.get(dir);
    return names != null ? names.get(name) : table.get(InodeStore.key(dir, name));
  }

  boolean contains(long dir, String name) {
    return child(dir, name) != null;
  }

  void put(long dir, String name, long ino) {
    table.put(InodeStore.key(dir, name), ino);
    TreeMap<String, Long> names = held.get(dir);
    if (names != null && names.put(name, ino) == null) {
      heldEntries++;
      evictOverBudget();
    }
  }

  void remove(long dir, String name) {
    table.remove(InodeStore.key(dir, name));
    TreeMap<String, Long> names = held.get(dir);
    if (names != null && names.remove(name) != null) {
      heldEntries--;
    }
  }

  /** A directory just made: it is empty, and likely to be filled and listed soon. */
  void made(long dir) {
    hold(dir, new TreeMap<>());
  }

  /** The directory gone: its (empty) copy goes too. */
  void removed(long dir) {
    TreeMap<String, Long> names = held.remove(dir);
    if (names != null) {
      heldEntries -= names.size() + 1;
    }
  }

  /** Every name in {@code dir} and the inode it names, in name order; read it before the next change. */
  NavigableMap<String, Long> names(long dir) {
    TreeMap<String, Long> names = held.get(dir);
    if (names == null) {
      names = new TreeMap<>();
      for (Map.Entry<Object[], Long> entry : table.read().prefixSubMap(new Object[] {dir}).entrySet()) {
        names.put((String) entry.getKey()[1], entry.getValue());
      }
      hold(dir, names);
    }
    return Collections.unmodifiableNavigableMap(names);
  }

  boolean isEmpty(long dir) {
    TreeMap<String, Long> names = held.get(dir);
    return names != null ? names.isEmpty() : table.read().prefixSubMap(new Object[] {dir}).isEmpty();
  }

  /** The table itself, for whole-table scans (dumps, fsck, a name for a path). */
  Map<Object[], Long> table() {
    return Collections.unmodifiableMap(table.read());
  }

  /** How many directories are held now. */
  int heldDirectories() {
    return held.size();
  }

  private void hold(long dir, TreeMap<String, Long> names) {
    if (names.size() >= maxHeldEntries) {
      return;
    }
    removed(dir);
    held.put(dir, names);
    heldEntries += names.size() + 1;
    evictOverBudget();
  }

  private void evictOverBudget() {
    var eldest = held.entrySet().iterator();
    while (heldEntries > maxHeldEntries && eldest.hasNext()) {
      heldEntries -= eldest.next().getValue().size() + 1;
      eldest.remove();
    }
  }
}
