package dev.zero.fuse;

import dev.zero.fusekernel.FuseException;
import dev.zero.store.DirEntry;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The directory listings the kernel is reading, so that a listing read in several READDIR
 * requests lists every entry that stays throughout exactly once, whatever changes meanwhile.
 *
 * <p>Zero answers no OPENDIR (the kernel then sends no OPENDIR or RELEASEDIR at all, two requests
 * fewer per directory read), so a listing has no handle: its offsets carry it. A read from
 * offset 0 takes a snapshot of the directory and gives it a number; an entry's offset is that
 * number and the entry's position, the last entry's is {@link #END}. A listing read in one
 * request, as most are, is therefore never kept; the others are, until read to the end or, beyond
 * a budget of entries, dropped least recently read first.
 */
final class DirectoryListings {
  /** The offset after a listing's last entry: the kernel's next read from it answers nothing. */
  static final long END = Long.MAX_VALUE;
  /** Entries kept in unfinished listings (a listing abandoned half read is kept until dropped). */
  private static final long HELD_ENTRIES = 100_000;
  /** Listing numbers stay below 2^30, so an offset never reaches {@link #END}. */
  private static final int NUMBERS = 1 << 30;

  /** A directory's entries as one read of it lists them, "." and ".." not included. */
  record Listing(int number, long dir, List<DirEntry> entries) {
    /** The position after the last entry: "." and ".." come first. */
    int end() {
      return entries.size() + 2;
    }

    /** The offset the kernel passes back to continue after {@code position}. */
    long offsetAfter(int position) {
      return position == end() ? END : (long) number << 32 | position;
    }

    /** What the listing counts against the budget: its entries, and one for itself. */
    private long weight() {
      return entries.size() + 1;
    }
  }

  /** What lists a directory from the store. */
  interface Reader {
    List<DirEntry> read(long dir) throws FuseException;
  }

  private final Map<Integer, Listing> held = new LinkedHashMap<>(16, 0.75f, true);
  private long heldEntries;
  private int lastNumber;

  /**
   * The listing a read of {@code dir} from {@code offset} continues (a new one from 0). A listing
   * dropped meanwhile is read anew under its number: entries changed since may then show twice or
   * not at all, as after a seekdir in any directory that changes.
   */
  Listing listing(long dir, long offset, Reader reader) throws FuseException {
    if (offset == 0) {
      return new Listing(nextNumber(), dir, reader.read(dir));
    }
    int number = (int) (offset >>> 32);
    synchronized (this) {
      Listing kept = held.get(number);
      if (kept != null && kept.dir() == dir) {
        return kept;
      }
    }
    return new Listing(number, dir, reader.read(dir));
  }

  /** The position after which a read from {@code offset} continues: 0 before ".", 1 after it, ... */
  static int position(long offset) {
    return (int) offset;
  }

  /** Notes how far a read got: a listing not read to the end is kept for the next read. */
  synchronized void readUpTo(Listing listing, int position) {
    if (position == listing.end()) {
      Listing removed = held.remove(listing.number());
      if (removed != null) {
        heldEntries -= removed.weight();
      }
      return;
    }
    Listing before = held.put(listing.number(), listing); // a number reused after 2^30 listings replaces the old one
    if (before != listing) {
      heldEntries += listing.weight() - (before == null ? 0 : before.weight());
      Iterator<Listing> oldest = held.values().iterator();
      while (heldEntries > HELD_ENTRIES && held.size() > 1) {
        heldEntries -= oldest.next().weight();
        oldest.remove();
      }
    }
  }

  private synchronized int nextNumber() {
    lastNumber = lastNumber % (NUMBERS - 1) + 1;
    return lastNumber;
  }
}
