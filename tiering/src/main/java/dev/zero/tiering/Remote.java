package dev.zero.tiering;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;

/**
 * Where cold content goes: a store of immutable objects named by key. Two implementations: a local
 * directory ({@link LocalDirectoryRemote}) and a Backblaze B2 bucket ({@link B2Remote}). Every
 * method is safe to call from several threads at once.
 *
 * <p>A key is up to 1024 bytes of UTF-8 without control characters, made of '/'-separated segments
 * none of which is empty, "." or ".."; methods throw IllegalArgumentException for any other. In a
 * local directory a key cannot also be the directory of other keys ("a" and "a/b").
 */
public interface Remote extends AutoCloseable {
  /** Uploads the whole of {@code file} as the object {@code key}; returns what was stored. */
  RemoteObject upload(String key, Path file) throws RemoteException;

  /**
   * Downloads bytes [{@code offset}, {@code offset + length}) of object {@code key} and writes them
   * into {@code target} at {@code targetOffset}. Returns the number of bytes written, which is less
   * than {@code length} only where the object ends.
   */
  default long download(String key, long offset, long length, FileChannel target, long targetOffset)
      throws RemoteException {
    return download(key, offset, length, target, targetOffset, written -> true);
  }

  /**
   * Like {@link #download(String, long, long, FileChannel, long)}, in one transfer where the remote
   * allows, telling {@code progress} how many bytes are written so far as they land. It stops,
   * returning what it wrote, when {@code progress} answers false.
   */
  long download(String key, long offset, long length, FileChannel target, long targetOffset, Progress progress)
      throws RemoteException;

  /** Told how far a download got. */
  interface Progress {
    /** {@code written} bytes are in the target; returns false to stop. May block, holding the transfer back. */
    boolean reached(long written);
  }

  /**
   * Deletes the object {@code key} (every version of it); deleting a missing key is not an error.
   */
  void delete(String key) throws RemoteException;

  /**
   * The SHA-1 (hex) the remote recorded for object {@code key} when it was uploaded, to check a
   * download against; null if it keeps none (a local directory, a B2 large file).
   */
  default String sha1(String key) throws RemoteException {
    return null;
  }

  /** Every object whose key starts with {@code prefix}, in key order. */
  List<RemoteObject> list(String prefix) throws RemoteException;

  @Override
  void close();
}
