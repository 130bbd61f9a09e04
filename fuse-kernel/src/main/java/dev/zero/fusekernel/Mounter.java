package dev.zero.fusekernel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import jnr.posix.SpawnFileAction;

/**
 * Opens a FUSE connection on a mountpoint: with mount(2) as root, through fusermount3 (which
 * hands the /dev/fuse descriptor back over a socket) otherwise; and detaches it again.
 */
final class Mounter {
  private static final POSIX POSIX = POSIXFactory.getNativePOSIX();

  private Mounter() {}

  static boolean isRoot() {
    return Native.LIBC.getuid() == 0;
  }

  /** The /dev/fuse descriptor of a new mount on {@code mountpoint}. */
  static int mount(Path mountpoint, MountOptions options) throws IOException {
    return isRoot() ? mountAsRoot(mountpoint, options) : mountWithFusermount(mountpoint, options);
  }

  private static int mountAsRoot(Path mountpoint, MountOptions options) throws IOException {
    int fd = Native.LIBC.open("/dev/fuse", Native.O_RDWR | Native.O_CLOEXEC);
    if (fd < 0) {
      throw new IOException("cannot open /dev/fuse: " + strerror(Native.errno()));
    }
    String data = "fd=" + fd + ",rootmode=40000,user_id=" + Native.LIBC.getuid() + ",group_id=" + Native.LIBC.getgid()
        + "," + options.kernelOptions();
    if (Native.LIBC.mount(options.source(), mountpoint.toString(), "fuse." + options.name(),
        Native.MS_NOSUID | Native.MS_NODEV, data) < 0) {
      int errno = Native.errno();
      Native.LIBC.close(fd);
      throw new IOException("mount(2) of " + mountpoint + " failed: " + strerror(errno));
    }
    return fd;
  }

  private static int mountWithFusermount(Path mountpoint, MountOptions options) throws IOException {
    int[] sockets = new int[2];
    if (Native.LIBC.socketpair(Native.AF_UNIX, Native.SOCK_STREAM, 0, sockets) < 0) {
      throw new IOException("socketpair failed: " + strerror(Native.errno()));
    }
    try {
      List<String> env = new java.util.ArrayList<>();
      System.getenv().forEach((key, value) -> env.add(key + "=" + value));
      env.add("_FUSE_COMMFD=" + sockets[1]);
      String opts = "fsname=" + options.fsname() + ",subtype=" + options.name() + "," + options.kernelOptions();
      List<String> argv = List.of("fusermount3", "-o", opts, "--", mountpoint.toString());
      // posix_spawn, not ProcessBuilder: the child must inherit the socket, which Java's spawn closes.
      long pid = POSIX.posix_spawnp("fusermount3", List.<SpawnFileAction>of(SpawnFileAction.close(sockets[0])), argv, env);
      if (pid <= 0) {
        throw new IOException("cannot run fusermount3; install it (apt-get install fuse3)");
      }
      Native.LIBC.close(sockets[1]);
      sockets[1] = -1;
      int fd = receiveFd(sockets[0]);
      int[] status = new int[1];
      POSIX.waitpid(pid, status, 0);
      if (fd < 0) {
        throw new IOException("fusermount3 could not mount " + mountpoint + " (exit status " + (status[0] >> 8) + "; see its message above)");
      }
      return fd;
    } finally {
      Native.LIBC.close(sockets[0]);
      if (sockets[1] >= 0) {
        Native.LIBC.close(sockets[1]);
      }
    }
  }

  /** Receives one descriptor sent with SCM_RIGHTS; -1 if the sender closed the socket first. */
  private static int receiveFd(int socket) {
    Runtime runtime = Runtime.getRuntime(Native.LIBC);
    Pointer data = Memory.allocateDirect(runtime, 8);
    Pointer iov = Memory.allocateDirect(runtime, 16);
    iov.putAddress(0, data.address());
    iov.putLong(8, 1);
    Pointer control = Memory.allocateDirect(runtime, 24); // CMSG_SPACE(sizeof(int))
    Pointer msg = Memory.allocateDirect(runtime, 56); // struct msghdr on x86-64 and arm64
    msg.putAddress(16, iov.address());
    msg.putLong(24, 1);
    msg.putAddress(32, control.address());
    msg.putLong(40, 24);
    long received;
    do {
      received = Native.LIBC.recvmsg(socket, msg, 0);
    } while (received < 0 && Native.errno() == Errors.EINTR);
    int level = control.getInt(8);
    int type = control.getInt(12);
    if (received <= 0 || level != 1 /* SOL_SOCKET */ || type != 1 /* SCM_RIGHTS */) {
      return -1;
    }
    return control.getInt(16);
  }

  /** Detaches the mount; it goes once the last file open on it is closed. */
  static void unmount(Path mountpoint) throws IOException {
    if (isRoot()) {
      if (Native.LIBC.umount2(mountpoint.toString(), Native.MNT_DETACH) < 0) {
        throw new IOException("umount of " + mountpoint + " failed: " + strerror(Native.errno()));
      }
      return;
    }
    Process process = new ProcessBuilder("fusermount3", "-u", "-z", mountpoint.toString()).inheritIO().start();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IOException("fusermount3 -u " + mountpoint + " failed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while unmounting " + mountpoint, e);
    }
  }

  static String strerror(int errno) {
    return POSIX.strerror(errno) + " (errno " + errno + ")";
  }
}
