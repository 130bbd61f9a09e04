package dev.zero.fusekernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The CPUs the kernel may ever run (cpu_possible_mask), as FUSE over io_uring counts its queues. */
final class Cpus {
  private Cpus() {}

  /** One more than the highest possible CPU's number, read from "0-1,4-7" style lists. */
  static int possible() throws IOException {
    String list = Files.readString(Path.of("/sys/devices/system/cpu/possible")).trim();
    int highest = 0;
    for (String range : list.split(",")) {
      String last = range.substring(range.indexOf('-') + 1);
      highest = Math.max(highest, Integer.parseInt(last));
    }
    return highest + 1;
  }
}
