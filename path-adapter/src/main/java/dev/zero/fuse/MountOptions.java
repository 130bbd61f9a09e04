package dev.zero.fuse;

import java.util.ArrayList;
import java.util.List;

/**
 * How Zero asks libfuse to mount.
 *
 * @param multithreaded libfuse's multithreaded loop instead of its single-threaded one
 * @param allowOther let users other than the one mounting in (root, or user_allow_other in
 *     /etc/fuse.conf, is needed for this)
 */
public record MountOptions(boolean multithreaded, boolean allowOther, boolean debug) {
  /** libfuse2 caps a request at 128 KiB. */
  private static final int MAX_REQUEST = 131072;

  /** The arguments after the mountpoint, in libfuse's command-line form. */
  List<String> fuseArgs() {
    List<String> options = new ArrayList<>(List.of(
        "fsname=zero",
        "subtype=zero",
        // st_ino shows Zero's inode numbers, so hard links share one.
        "use_ino",
        "big_writes",
        "max_write=" + MAX_REQUEST,
        "max_read=" + MAX_REQUEST,
        // The kernel checks mode bits, owners and sticky directories against the caller.
        "default_permissions",
        // libfuse2 gives each name its own kernel inode: cached attributes of one hard link
        // would go stale when the file is written through another, so attributes are not cached.
        "attr_timeout=0"));
    if (allowOther) {
      options.add("allow_other");
    }
    List<String> args = new ArrayList<>(List.of("-o", String.join(",", options)));
    if (!multithreaded) {
      args.add("-s");
    }
    return args;
  }
}
