package dev.zero.cli;

import dev.zero.store.DamagedDumpException;
import dev.zero.store.InodeStore.Identity;
import dev.zero.store.InodeStore.RestoreReport;
import dev.zero.tiering.FilesystemClaim;
import dev.zero.tiering.FilesystemLayout;
import dev.zero.tiering.MetadataBackups;
import dev.zero.tiering.MetadataBackups.Backup;
import dev.zero.tiering.Remote;
import dev.zero.tiering.RemoteException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    description = {
      "Rebuilds a Zero filesystem into an empty cache directory from the newest intact metadata backup"
          + " in the remote named by the configuration (use the config.yml of the lost machine).",
      "A damaged backup is reported and the next older one restored instead; if none is intact, or"
          + " anything else fails, the directory is left as it was (exit code 4).",
      "Then zero-cli mount shows every file as of that backup; content comes back from the remote"
          + " as it is read. Changes after that backup, and content never uploaded, are lost."
    })
final class RestoreCommand implements Callable<Integer> {
  /** What a restore killed half way leaves behind; a retry clears it. */
  private static final Set<String> LEFTOVERS = Set.of("lock", StagedRestore.NAME);

  @Parameters(index = "0", paramLabel = "<cache>", description = "An empty or new directory to restore into.")
  Path cache;

  @Mixin ConfigOption config;

  @Override
  public Integer call() throws UserError {
    Config settings = config.load();
    Path root = cache.toAbsolutePath().normalize();
    Path metadataFile = settings.metadataFileIn(root);
    Set<Path> before;
    try {
      before = entries(root);
    } catch (IOException e) {
      throw new UserError(UserError.SETUP, "cannot read " + root + " (" + e.getMessage() + "); restore into an empty directory you can write.");
    }
    Path remoteDirectory = settings.remoteDirectoryIn(root);
    if (!before.stream().allMatch(entry -> entry.equals(remoteDirectory) || LEFTOVERS.contains(entry.getFileName().toString()))) {
      throw new UserError(UserError.SETUP, root + (Files.exists(metadataFile) ? " already holds a Zero filesystem" : " is not empty")
          + "; restore into an empty directory.");
    }
    boolean existed = Files.exists(root);
    boolean restored = false;
    try (CacheDirectory directory = CacheDirectory.lock(root)) {
      try (Remote remote = TieringSetup.openRemote(settings, root); StagedRestore staged = StagedRestore.in(root, metadataFile)) {
        restoreNewestIntact(remote, new FilesystemLayout(settings.filesystemName()), staged, metadataFile, directory.contentDir());
        restored = true;
        return 0;
      } catch (RemoteException e) {
        throw new UserError(e.kind() == RemoteException.Kind.UNAUTHORIZED ? UserError.CONFIG : UserError.SETUP, e.getMessage() + ".");
      } catch (IOException e) {
        throw new UserError(UserError.SETUP, "could not restore into " + root + " (" + e.getMessage()
            + "), so it is left as it was; free space or fix its permissions, then run restore again.");
      } finally {
        if (!restored) {
          undo(root, before);
        }
      }
    } catch (IOException e) {
      throw new UserError(UserError.SETUP, "could not unlock " + root + " (" + e.getMessage() + "); check that it is writable.");
    } finally {
      if (!restored && !existed) {
        deleteQuietly(root);
      }
    }
  }

  /** Tries the backups newest first; a damaged one gets one line and the next older one is tried. */
  private static void restoreNewestIntact(Remote remote, FilesystemLayout layout, StagedRestore staged, Path metadataFile,
      Path contentDir) throws IOException, UserError {
    List<Backup> backups = MetadataBackups.all(remote, layout.backupsPrefix());
    if (backups.isEmpty()) {
      throw new UserError(UserError.SETUP, "the remote holds no metadata backup of the filesystem '" + layout + "' (" + remote
          + "); check the B2 keys, remoteDirectory and filesystemName in the config.");
    }
    // The restored cache is the filesystem whose backups it reads (a new id only if the remote lost its own).
    Identity remoteIdentity = FilesystemClaim.identityIn(remote, layout, staged.scratch());
    Identity identity = remoteIdentity != null ? remoteIdentity : new Identity(layout.name(), UUID.randomUUID().toString());
    Map<String, Long> taken = new HashMap<>();
    backups.forEach(backup -> taken.put(backup.key(), backup.takenMillis()));
    for (int i = 0; i < backups.size(); i++) {
      Backup backup = backups.get(i);
      String next = i + 1 < backups.size() ? "; trying the next older one" : "; there is no older one";
      try {
        RestoreReport report = staged.build(remote, backup, taken, identity);
        staged.moveInto(metadataFile, contentDir);
        System.out.println("restore: " + report.inodes() + " inodes from " + backup.key() + " (taken " + Instant.ofEpochMilli(backup.takenMillis()) + ")"
            + (report.filesWithLostContent() == 0 ? "" : "; " + report.filesWithLostContent() + " files had content that was never uploaded and are empty"));
        return;
      } catch (DamagedDumpException e) {
        System.err.println("zero: backup " + backup.key() + " is damaged (" + e.getMessage() + ")" + next);
      } catch (RemoteException e) {
        if (e.kind() == RemoteException.Kind.UNAUTHORIZED) {
          throw e;
        }
        System.err.println("zero: backup " + backup.key() + " could not be downloaded (" + e.getMessage() + ")" + next);
      }
      staged.clear();
    }
    throw new UserError(UserError.SETUP, "none of the " + backups.size() + " metadata backups in the remote (" + remote
        + ") could be restored (see above), so nothing was restored; check that config.yml names the lost machine's remote.");
  }

  /** The entries of {@code root}, none if it does not exist. */
  private static Set<Path> entries(Path root) throws IOException {
    if (!Files.exists(root)) {
      return Set.of();
    }
    try (Stream<Path> entries = Files.list(root)) {
      return entries.collect(Collectors.toSet());
    }
  }

  /** Removes every entry a failed restore added to {@code root}, so that it is as it was and a retry works. */
  private static void undo(Path root, Set<Path> before) {
    try {
      for (Path entry : entries(root)) {
        if (!before.contains(entry) || entry.getFileName().toString().equals(StagedRestore.NAME)) {
          StagedRestore.deleteTree(entry);
        }
      }
    } catch (IOException e) {
      System.err.println("zero: could not clear what the failed restore left in " + root + " (" + e.getMessage() + "); delete it by hand.");
    }
  }

  private static void deleteQuietly(Path root) {
    try {
      Files.deleteIfExists(root);
    } catch (IOException e) {
      System.err.println("zero: could not remove " + root + ", which the failed restore created (" + e.getMessage() + ").");
    }
  }
}
