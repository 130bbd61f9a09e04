package dev.zero.cli;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Runs a command on one filesystem: while it is mounted the mount process owns the store, so the
 * command is sent to it over the control socket; otherwise the command opens the cache itself.
 */
final class CacheRequest {
  /** The command's work on an open cache; returns the exit code. */
  interface Offline {
    int run(OpenCache open) throws IOException;
  }

  private CacheRequest() {}

  static int run(Path cache, ConfigOption config, String request, Offline offline) throws UserError, IOException {
    return run(cache, config, request, System.out::println, offline);
  }

  /** Like {@link #run(Path, ConfigOption, String, Offline)}, with what the mount process sends going to {@code listener}. */
  static int run(Path cache, ConfigOption config, String request, ControlSocket.Listener listener, Offline offline)
      throws UserError, IOException {
    Config settings = config.load();
    Path root = ExistingCache.check(cache);
    CacheDirectory directory = CacheDirectory.tryLock(root);
    if (directory == null) {
      return ControlSocket.request(root, request, listener);
    }
    try (OpenCache open = OpenCache.open(directory, settings)) {
      return offline.run(open);
    }
  }
}
