package dev.zero.tiering;

import java.util.regex.Pattern;

/**
 * Where one filesystem's objects live in a remote that several filesystems may share: all of
 * them under its name, {@code NAME/}. Content objects are {@code NAME/inode/INO/UUID}
 * (immutable, one per upload), backups {@code NAME/backups/STAMP.zdump}; {@code
 * NAME/filesystem.id} says which filesystem owns the name and {@code NAME/mount.lease} which
 * process may write to it now.
 */
public final class FilesystemLayout {
  private static final String CONTENT_DIRECTORY = "inode/";
  private static final Pattern VALID_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private final String name;

  public FilesystemLayout(String name) {
    String problem = problemWithName(name);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    this.name = name;
  }

  /** What makes {@code name} unusable as a filesystem name, or null if it is fine. */
  public static String problemWithName(String name) {
    return VALID_NAME.matcher(name).matches() ? null
        : "a filesystem name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit";
  }

  public String name() {
    return name;
  }

  public String contentPrefix() {
    return name + "/" + CONTENT_DIRECTORY;
  }

  /**
   * The content prefix {@code key} is under ("NAME/inode/", or "inode/" for a Zero before
   * filesystem names), or null if it is no content key.
   */
  public static String contentPrefixOf(String key) {
    int at = key.indexOf(CONTENT_DIRECTORY);
    return at < 0 ? null : key.substring(0, at + CONTENT_DIRECTORY.length());
  }

  String contentKey(long ino, String unique) {
    return contentPrefix() + ino + "/" + unique;
  }

  public String backupsPrefix() {
    return name + "/backups/";
  }

  String identityKey() {
    return name + "/filesystem.id";
  }

  String leaseKey() {
    return name + "/mount.lease";
  }

  /**
   * Whether {@code key} is a content object of this filesystem, which it may delete. Objects of
   * other filesystems, and of Zero versions before filesystem names, are never its to delete.
   */
  boolean ownsContent(String key) {
    return key.startsWith(contentPrefix());
  }

  @Override
  public String toString() {
    return name;
  }
}
