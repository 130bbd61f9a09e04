package dev.zero.cli;

import dev.zero.store.ContentFetcher;
import dev.zero.store.Fsck;
import dev.zero.store.InodeStore;
import dev.zero.store.JournalDamage;
import dev.zero.tiering.FilesystemLayout;
import dev.zero.tiering.Remote;
import dev.zero.tiering.RemoteObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "fsck",
    mixinStandardHelpOptions = true,
    description = {
      "Checks an unmounted Zero filesystem without changing it: entries, link counts, the directory"
          + " tree, orphans, stray local files, and that every file's content is where its state says"
          + " (local file present and whole; remote copy listed, with one listing of the remote).",
      "Prints one line per problem and exits 1 if there are any."
    })
final class FsckCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "<cache>", description = "The cache directory of an unmounted Zero filesystem.")
  Path cache;

  @Mixin ConfigOption config;

  @Option(names = "--repair", description = "Fix what can be fixed without guessing; move files that lost their place or content into /lost+found."
      + " A damaged metadata journal or checkpoint keeps its records before the damage; the damaged file is kept beside it.")
  boolean repair;

  @Option(names = "--deep", description = "Also download every remote copy: compare it with the local copy, or read it whole.")
  boolean deep;

  @Override
  public Integer call() throws UserError, IOException {
    Config settings = config.load();
    Path root = ExistingCache.check(cache);
    CacheDirectory directory = CacheDirectory.tryLock(root);
    if (directory == null) {
      throw new UserError(UserError.SETUP, "cache " + root + " is mounted; unmount it, then run fsck.");
    }
    try (directory; Remote remote = TieringSetup.openRemote(settings, root)) {
      Path metadataFile = settings.metadataFileIn(root);
      List<String> salvaged = List.of();
      InodeStore store;
      try {
        if (repair) {
          salvaged = Fsck.salvage(metadataFile);
          store = InodeStore.openAsIs(metadataFile, directory.contentDir());
        } else {
          // Nothing in the cache may change: the store is rebuilt from its journal elsewhere.
          store = InodeStore.openReadOnly(metadataFile, directory.contentDir());
        }
      } catch (JournalDamage e) {
        System.out.println(OpenCache.recovery(e, root));
        System.out.println("fsck: 1 problems");
        return 1;
      } catch (IOException | RuntimeException e) {
        throw new UserError(UserError.SETUP, "cannot open the metadata store of " + root + " (" + e.getMessage() + "); if the disk lost it, restore it with zero-cli restore.");
      }
      try (store) {
        ContentFetcher fetcher = (key, offset, length, target) -> remote.download(key, offset, length, target, offset);
        Fsck.Result result = Fsck.run(store, () -> listing(remote, store), deep ? fetcher : null, repair, !salvaged.isEmpty());
        salvaged.forEach(line -> System.out.println(line + " (repaired)"));
        result.problems().forEach(System.out::println);
        result.leftovers().forEach(leftover -> System.out.println("leftover: " + leftover));
        int problems = salvaged.size() + result.problems().size();
        int unrepaired = result.problems().size() - result.repaired();
        System.out.println("fsck: " + problems + " problems" + (repair ? ", " + (salvaged.size() + result.repaired()) + " repaired" : "")
            + (result.leftovers().isEmpty() ? "" : "; " + result.leftovers().size() + " crash leftovers, tidied by the next mount" + (repair ? " (removed now)" : "")));
        return unrepaired == 0 ? 0 : 1;
      }
    }
  }

  /**
   * The content objects the store's keys could be among: one listing per prefix they have (this
   * filesystem's, and the top-level one of Zero before filesystem names), not the whole bucket.
   */
  private static Map<String, Long> listing(Remote remote, InodeStore store) throws IOException {
    Set<String> prefixes = new HashSet<>();
    for (String key : store.remoteKeys()) {
      String prefix = FilesystemLayout.contentPrefixOf(key);
      if (prefix != null) {
        prefixes.add(prefix);
      }
    }
    Map<String, Long> objects = new HashMap<>();
    for (String prefix : prefixes) {
      for (RemoteObject object : remote.list(prefix)) {
        objects.put(object.key(), object.size());
      }
    }
    return objects;
  }
}
