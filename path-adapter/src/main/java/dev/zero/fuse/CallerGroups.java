package dev.zero.fuse;

import dev.zero.fusekernel.Request;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether the process behind a request is in a group. A request carries only the caller's
 * fsgid; its supplementary groups are in /proc/PID/status. Reading that costs a file read, so
 * it is for rare decisions only (see {@code InodeStore.dropSetIds}).
 */
final class CallerGroups {
  private CallerGroups() {}

  /** True if {@code gid} is the caller's group or one of its supplementary groups; false if that cannot be read. */
  static boolean contain(Request request, int gid) {
    if (request.gid() == gid) {
      return true;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(request.pid()), "status"))) {
        if (line.startsWith("Groups:")) {
          for (String group : line.substring("Groups:".length()).trim().split("\\s+")) {
            if (group.equals(Integer.toString(gid))) {
              return true;
            }
          }
          return false;
        }
      }
    } catch (IOException e) {
      // The caller is gone: nothing it runs can use the bit any more, and dropping it is the safe side.
    }
    return false;
  }
}
