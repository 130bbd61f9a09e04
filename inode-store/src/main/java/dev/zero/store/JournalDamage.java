package dev.zero.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A journal or checkpoint that is damaged, not merely torn by a kill: reading it further would
 * lose or invent metadata, so the store refuses to open and changes nothing.
 */
public final class JournalDamage extends IOException {
  private final Path file;
  private final long offset;
  private final String description;

  JournalDamage(Path file, long offset, String description) {
    super(description + "; nothing was changed: zero-cli fsck --repair keeps the records before byte " + offset
        + ", or zero-cli restore rebuilds the metadata from a backup into a new cache");
    this.file = file;
    this.offset = offset;
    this.description = description;
  }

  public Path file() {
    return file;
  }

  /** Where the intact records end. */
  public long offset() {
    return offset;
  }

  /** What is damaged and where, without advice: for a caller that words its own. */
  public String description() {
    return description;
  }
}
