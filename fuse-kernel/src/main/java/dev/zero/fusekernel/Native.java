package dev.zero.fusekernel;

import java.nio.ByteBuffer;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;

/** The libc calls Java lacks for talking to /dev/fuse: direct buffers are passed by address, not copied. */
public interface Native {
  int O_RDWR = 02;
  int O_CLOEXEC = 02000000;
  long MS_NOSUID = 2;
  long MS_NODEV = 4;
  int MNT_DETACH = 2;
  int AF_UNIX = 1;
  int SOCK_STREAM = 1;

  Native LIBC = LibraryLoader.create(Native.class).load("c");

  @SaveError
  int open(String path, int flags);

  @SaveError
  int close(int fd);

  @SaveError
  long read(int fd, @Out ByteBuffer buf, long count);

  @SaveError
  long write(int fd, @In ByteBuffer buf, long count);

  @SaveError
  int ioctl(int fd, long request, int[] arg);

  @SaveError
  int mount(String source, String target, String type, long flags, String data);

  @SaveError
  int umount2(String target, int flags);

  @SaveError
  int socketpair(int domain, int type, int protocol, @Out int[] fds);

  @SaveError
  long recvmsg(int fd, Pointer msghdr, int flags);

  /** syscall(2), for io_uring's calls, which libc does not wrap, and mmap (libc's, bound here, answers EINVAL). */
  @SaveError
  long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

  @SaveError
  int sched_setaffinity(int pid, long size, long[] mask);

  int getuid();

  int getgid();

  /** The errno of this thread's last failed call above. */
  static int errno() {
    return Runtime.getRuntime(LIBC).getLastError();
  }
}
