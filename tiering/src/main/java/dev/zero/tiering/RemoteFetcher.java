package dev.zero.tiering;

import dev.zero.store.ContentFetcher;
import java.io.IOException;
import java.nio.channels.FileChannel;

/** Gives the inode store byte ranges of remote objects, for recalls. */
final class RemoteFetcher implements ContentFetcher {
  private final Remote remote;
  private final RecentErrors errors;

  RemoteFetcher(Remote remote, RecentErrors errors) {
    this.remote = remote;
    this.errors = errors;
  }

  @Override
  public long fetch(String key, long offset, long length, FileChannel target) throws IOException {
    return fetch(key, offset, length, target, end -> true);
  }

  @Override
  public long fetch(String key, long offset, long length, FileChannel target, Progress progress) throws IOException {
    try {
      return remote.download(key, offset, length, target, offset, written -> progress.reached(offset + written));
    } catch (RemoteException e) {
      if (target.isOpen()) { // else the recall was given up (the file changed or went away) and closed it
        errors.add("recall of " + key + " failed: " + e.getMessage());
      }
      throw e;
    }
  }
}
