package dev.zero.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.zero.store.DirEntry;
import dev.zero.store.FileMode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DirectoryListingsTest {
  private static final long DIR = 7;
  private final DirectoryListings listings = new DirectoryListings();
  private final List<DirEntry> directory = new ArrayList<>();
  private int reads;

  private List<DirEntry> read(long dir) {
    assertEquals(DIR, dir);
    reads++;
    return List.copyOf(directory);
  }

  private void add(String... names) {
    for (String name : names) {
      directory.add(new DirEntry(name, 100 + directory.size(), FileMode.S_IFREG));
    }
  }

  /** Reads from offset as a READDIR of room for {@code room} entries would; returns the names and the offset after them. */
  private long readInto(List<String> names, long offset, int room) throws Exception {
    DirectoryListings.Listing listing = listings.listing(DIR, offset, this::read);
    int position = DirectoryListings.position(offset);
    while (position < listing.end() && room-- > 0) {
      position++;
      if (position > 2) {
        names.add(listing.entries().get(position - 3).name());
      }
      offset = listing.offsetAfter(position);
    }
    listings.readUpTo(listing, position);
    return offset;
  }

  @Test
  void aListingReadInSeveralRequestsListsEveryEntryThatStaysOnceWhateverChangesBetween() throws Exception {
    add("a", "b", "c", "d", "e");
    List<String> names = new ArrayList<>();
    long offset = readInto(names, 0, 3); // ".", "..", "a"
    directory.remove(0); // "a" goes
    add("f");
    offset = readInto(names, offset, 2);
    directory.remove(0); // "b" goes, after it was listed
    offset = readInto(names, offset, 100);
    assertEquals(List.of("a", "b", "c", "d", "e"), names, "the snapshot taken at offset 0");
    assertEquals(DirectoryListings.END, offset);
    assertEquals(1, reads, "the store is read once per listing");

    List<String> again = new ArrayList<>();
    assertEquals(DirectoryListings.END, readInto(again, 0, 100));
    assertEquals(List.of("c", "d", "e", "f"), again, "a new listing from offset 0");
  }

  private List<String> names(long offset) throws Exception {
    List<String> names = new ArrayList<>();
    readInto(names, offset, 100);
    return names;
  }

  @Test
  void aListingReadInOneRequestIsNotKeptAndOneReadToItsEndIsDropped() throws Exception {
    add("a", "b");
    long offset = readInto(new ArrayList<>(), 0, 100);
    assertEquals(DirectoryListings.END, offset);

    long half = readInto(new ArrayList<>(), 0, 3);
    DirectoryListings.Listing kept = listings.listing(DIR, half, this::read);
    assertSame(kept, listings.listing(DIR, half, this::read), "kept while unfinished");
    listings.readUpTo(kept, kept.end());
    int before = reads;
    listings.listing(DIR, half, this::read);
    assertEquals(before + 1, reads, "dropped once read to the end, so read anew");
  }

  @Test
  void offsetsOfTwoListingsOfOneDirectoryDiffer() throws Exception {
    add("a", "b", "c");
    long first = readInto(new ArrayList<>(), 0, 3);
    long second = readInto(new ArrayList<>(), 0, 3);
    assertNotEquals(first, second);
    directory.clear();
    add("x", "y", "z");
    assertEquals(List.of("b", "c"), names(first), "each continues its own snapshot");
    assertEquals(List.of("b", "c"), names(second));
  }

  @Test
  void listingsBeyondTheBudgetAreDroppedOldestFirst() throws Exception {
    for (int i = 0; i < 40_000; i++) {
      directory.add(new DirEntry("n" + i, 100 + i, FileMode.S_IFREG));
    }
    long oldest = readInto(new ArrayList<>(), 0, 3);
    long newer = readInto(new ArrayList<>(), 0, 3);
    long newest = readInto(new ArrayList<>(), 0, 3); // three of 40,000 entries exceed 100,000
    int before = reads;
    listings.listing(DIR, newest, this::read);
    listings.listing(DIR, newer, this::read);
    assertEquals(before, reads, "the two most recent are kept");
    listings.listing(DIR, oldest, this::read);
    assertEquals(before + 1, reads, "the oldest was dropped and is read anew");
  }

  @Test
  void aListingUnderAReusedNumberReplacesTheOneKeptUnderIt() throws Exception {
    add("a", "b", "c");
    DirectoryListings.Listing old = new DirectoryListings.Listing(5, DIR, List.copyOf(directory));
    listings.readUpTo(old, 3);
    add("d");
    DirectoryListings.Listing reused = new DirectoryListings.Listing(5, DIR, List.copyOf(directory));
    listings.readUpTo(reused, 3);
    assertSame(reused, listings.listing(DIR, reused.offsetAfter(3), this::read));
    listings.readUpTo(reused, reused.end());
    int before = reads;
    listings.listing(DIR, reused.offsetAfter(3), this::read);
    assertEquals(before + 1, reads, "neither is kept once the newer was read to the end");
  }
}
