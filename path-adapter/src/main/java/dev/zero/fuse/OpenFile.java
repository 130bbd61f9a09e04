package dev.zero.fuse;

import dev.zero.store.ContentHandle;

/**
 * A file handle the kernel holds: the content handle, and whether the kernel serves it by itself
 * (passthrough), in which case its reads and writes never reach Zero.
 */
final class OpenFile {
  final ContentHandle content;
  final boolean passthrough;

  OpenFile(ContentHandle content, boolean passthrough) {
    this.content = content;
    this.passthrough = passthrough;
  }

  /** Whether the kernel may have written the content file through this handle, unseen by Zero. */
  boolean writtenByKernel() {
    return passthrough && content.writable();
  }
}
