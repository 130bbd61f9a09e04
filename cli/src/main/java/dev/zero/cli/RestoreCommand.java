package dev.zero.cli;

import dev.zero.store.InodeStore;
import dev.zero.store.InodeStore.Identity;
import dev.zero.store.InodeStore.RestoreReport;
import dev.zero.tiering.FilesystemClaim;
import dev.zero.tiering.FilesystemLayout;
import dev.zero.tiering.MetadataBackups;
import dev.zero.tiering.Remote;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import jnr.posix.POSIXFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    description = {
      "Rebuilds a Zero filesystem into an empty cache directory from the newest metadata backup in"
          + " the remote named by the configuration (use the config.yml of the lost machine).",
      "Then zero-cli mount shows every file as of that backup; content comes back from the remote"
          + " as it is read. Changes after that backup, and content never uploaded, are lost."
    })
final class RestoreCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "<cache>", description = "An empty or new directory to restore into.")
  Path cache;

  @Mixin ConfigOption config;

  @Override
  public Integer call() throws UserError, IOException {
    Config settings = config.load();
    Path root = cache.toAbsolutePath().normalize();
    if (!isEmpty(root, settings.remoteDirectoryIn(root))) {
      throw new UserError(UserError.SETUP, root + (Files.exists(settings.metadataFileIn(root)) ? " already holds a Zero filesystem" : " is not empty")
          + "; restore into an empty directory.");
    }
    try (CacheDirectory directory = CacheDirectory.lock(root)) {
      Path metadataFile = settings.metadataFileIn(directory.root());
      try (Remote remote = TieringSetup.openRemote(settings, directory.root())) {
        FilesystemLayout layout = new FilesystemLayout(settings.filesystemName());
        String newest = MetadataBackups.newest(remote, layout.backupsPrefix());
        if (newest == null) {
          throw new UserError(UserError.SETUP, "the remote holds no metadata backup of the filesystem '" + layout + "' (" + remote
              + "); check the B2 keys, remoteDirectory and filesystemName in the config.");
        }
        Identity identity = FilesystemClaim.identityIn(remote, layout, directory.root());
        Map<String, Long> backups = MetadataBackups.all(remote, layout.backupsPrefix());
        Path dump = directory.root().resolve("restore.tmp");
        MetadataBackups.download(remote, newest, dump);
        RestoreReport report;
        try (InodeStore store = InodeStore.open(metadataFile, directory.contentDir(), OpenCache.COMMIT_INTERVAL,
                POSIXFactory.getNativePOSIX().getuid(), POSIXFactory.getNativePOSIX().getgid());
            InputStream in = Files.newInputStream(dump)) {
          report = store.load(in);
          store.recordRestoredFrom(backups);
          // The restored cache is the filesystem whose backups it read (a new id only if the remote lost its own).
          store.setIdentity(identity != null ? identity : new Identity(layout.name(), UUID.randomUUID().toString()));
        } finally {
          Files.deleteIfExists(dump);
        }
        System.out.println("restore: " + report.inodes() + " inodes from " + newest + " (taken " + Instant.ofEpochMilli(backups.get(newest)) + ")"
            + (report.filesWithLostContent() == 0 ? "" : "; " + report.filesWithLostContent() + " files had content that was never uploaded and are empty"));
        return 0;
      }
    }
  }

  /** Empty but for the local-directory remote, when the configuration keeps it in there. */
  private static boolean isEmpty(Path root, Path remoteDirectory) throws IOException {
    if (!Files.exists(root)) {
      return true;
    }
    try (Stream<Path> entries = Files.list(root)) {
      return entries.allMatch(entry -> entry.equals(remoteDirectory));
    }
  }
}
