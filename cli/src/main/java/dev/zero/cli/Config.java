package dev.zero.cli;

import java.nio.file.Path;

/**
 * Zero's settings, from the embedded default overlaid with the user's config.yml.
 *
 * @param metadataFile where the metadata store lives; relative to the cache directory unless
 *     absolute
 * @param multithreadedFuse libfuse's multithreaded loop instead of the single-threaded one
 */
record Config(String metadataFile, boolean multithreadedFuse) {
  Path metadataFileIn(Path cache) {
    return cache.resolve(metadataFile);
  }
}
