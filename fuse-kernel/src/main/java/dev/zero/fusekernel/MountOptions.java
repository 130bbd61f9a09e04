package dev.zero.fusekernel;

/**
 * How a filesystem is mounted.
 *
 * @param source the source column of /proc/mounts (what df shows as the filesystem)
 * @param name the subtype: the type shows as fuse.NAME
 * @param allowOther let users other than the one mounting in
 * @param threads how many threads answer requests
 * @param passthrough ask the kernel for passthrough of open files to backing files (needs root)
 * @param ioUring take requests over io_uring when the kernel offers it (its fuse module's enable_uring)
 * @param debug log every request
 */
public record MountOptions(String source, String name, boolean allowOther, int threads, boolean passthrough, boolean ioUring, boolean debug) {
  /** The largest request: 256 pages of data, where libfuse2 stops at 32. */
  static final int MAX_PAGES = 256;
  static final int MAX_WRITE = MAX_PAGES * Protocol.PAGE;

  /**
   * The source as fusermount3's fsname option: its option list has no escapes, so a source
   * with a comma falls back to the name.
   */
  String fsname() {
    return source.contains(",") ? name : source;
  }

  /** The options the kernel's fuse mount understands, after fd= and what mount(2) needs. */
  String kernelOptions() {
    // The kernel checks mode bits, owners and sticky directories against the caller.
    return "default_permissions" + (allowOther ? ",allow_other" : "");
  }
}
