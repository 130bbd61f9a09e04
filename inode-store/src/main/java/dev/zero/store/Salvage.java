package dev.zero.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps what is intact of a damaged checkpoint or journal: the records before the damage go
 * into a new file in its place, and the damaged file stays beside it, renamed, as evidence.
 * What the records after the damage held is lost to the metadata; fsck then puts the content
 * files it no longer explains into /lost+found instead of deleting them.
 */
final class Salvage {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private Salvage() {}

  /** Salvages every damaged file of the metadata at {@code file}; one line per file kept, none if nothing was damaged. */
  static List<String> run(Path file) throws IOException {
    List<String> kept = new ArrayList<>();
    // The checkpoint and the journal may both be damaged; each pass finds the next one.
    for (int pass = 0; pass < 3; pass++) {
      try {
        Metadata.check(file);
        return kept;
      } catch (JournalDamage damage) {
        kept.add(keepIntactPart(damage, file));
        // The MapDB index no longer matches: the next open rebuilds it, allowing a torn tail.
        if (Files.deleteIfExists(Metadata.sibling(file, ".clean"))) {
          Journal.syncDirectory(file.toAbsolutePath().getParent());
        }
      }
    }
    Metadata.check(file);
    return kept;
  }

  private static String keepIntactPart(JournalDamage damage, Path file) throws IOException {
    Path damaged = damage.file();
    Path evidence = damaged.resolveSibling(damaged.getFileName() + ".damaged-" + STAMP.format(Instant.now()));
    Path written = damaged.resolveSibling(damaged.getFileName() + ".salvaged");
    Path other = damaged.getFileName().toString().endsWith(".checkpoint")
        ? Metadata.sibling(file, ".journal") : Metadata.sibling(file, ".checkpoint");
    Journal.copyRecords(damaged, damage.offset(), generationOf(damaged, other), written);
    // A second name first, then the intact copy atomically in place: a crash leaves one or the other.
    Files.createLink(evidence, damaged);
    Journal.replace(written, damaged);
    return damage.description() + "; kept the records before byte " + damage.offset()
        + ", and the damaged file as " + evidence.getFileName();
  }

  /** The damaged file's generation, or if its header is gone, the other file's (they match). */
  private static long generationOf(Path damaged, Path other) throws IOException {
    try {
      return Journal.generationOf(damaged, "");
    } catch (JournalDamage headerGone) {
      try {
        return Files.exists(other) ? Journal.generationOf(other, "") : 0;
      } catch (JournalDamage bothGone) {
        return 0;
      }
    }
  }
}
