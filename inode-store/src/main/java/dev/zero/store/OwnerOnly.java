package dev.zero.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The modes of everything Zero keeps on disk: file content, names and keys are its users', so
 * they are readable by their owner alone, whatever the modes of the files inside Zero. The CLI
 * sets {@link #UMASK} for the whole process, so nothing it creates can be missed (MapDB, the
 * journal, temporaries, the lock); content files and remote objects are also created with these
 * modes explicitly, because their classes run without the CLI too (in tests, in other programs).
 */
public final class OwnerOnly {
  /** Clears every group and other bit of what the process creates. */
  public static final int UMASK = 077;
  public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
  public static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");
  public static final FileAttribute<Set<PosixFilePermission>> FILE = PosixFilePermissions.asFileAttribute(FILE_MODE);
  public static final FileAttribute<Set<PosixFilePermission>> DIRECTORY = PosixFilePermissions.asFileAttribute(DIRECTORY_MODE);

  private OwnerOnly() {}

  /** Creates {@code file} empty and owner-only unless it exists; an existing file is left as it is. */
  public static void createFileIfMissing(Path file) throws IOException {
    try {
      Files.createFile(file, FILE);
    } catch (FileAlreadyExistsException e) {
      // Its content is the caller's to change.
    }
  }

  /** Whether {@code permissions} let anyone but the owner read, write or search. */
  public static boolean isWider(Set<PosixFilePermission> permissions) {
    return permissions.stream().anyMatch(p -> !p.name().startsWith("OWNER_"));
  }
}
