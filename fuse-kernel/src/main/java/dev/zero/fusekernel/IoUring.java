package dev.zero.fusekernel;

import com.kenai.jffi.MemoryIO;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An io_uring ({@code io_uring_setup(2)}) with 128-byte submission entries, as URING_CMD needs,
 * used by one thread: it fills entries, then submits them and waits in one
 * {@code io_uring_enter}.
 */
final class IoUring implements AutoCloseable {
  private static final long SYS_IO_URING_SETUP = 425;
  private static final long SYS_IO_URING_ENTER = 426;
  private static final long SYS_MMAP = 9;
  private static final long SYS_MUNMAP = 11;
  private static final int SETUP_SQE128 = 1 << 10;
  private static final int FEAT_SINGLE_MMAP = 1;
  private static final long OFF_SQES = 0x10000000L;
  private static final int ENTER_GETEVENTS = 1;
  private static final int PROT_READ_WRITE = 3;
  private static final int MAP_SHARED_POPULATE = 0x01 | 0x8000;
  static final int OP_URING_CMD = 46;
  private static final int SQE_SIZE = 128;
  private static final int CQE_SIZE = 16;
  /** The ring's head and tail are shared with the kernel: read with acquire, written with release. */
  private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final MemoryIO MEMORY = MemoryIO.getInstance();

  private final int fd;
  private final long ringAddress;
  private final long ringSize;
  private final long sqesAddress;
  private final long sqesSize;
  private final ByteBuffer ring;
  private final ByteBuffer[] sqes;
  private final int sqTail;
  private final int sqMask;
  private final int sqArray;
  private final int cqHead;
  private final int cqTail;
  private final int cqMask;
  private final int cqes;
  /** The next submission entry's number, and how many were filled but not yet submitted. */
  private int nextSqe;
  private int unsubmitted;
  private int seenCq;

  IoUring(int entries) throws IOException {
    ByteBuffer params = ByteBuffer.allocateDirect(120).order(ByteOrder.LITTLE_ENDIAN);
    params.putInt(8, SETUP_SQE128);
    long fd = Native.LIBC.syscall(SYS_IO_URING_SETUP, entries, MEMORY.getDirectBufferAddress(params), 0, 0, 0, 0);
    if (fd < 0) {
      throw new IOException("io_uring_setup failed: " + Mounter.strerror(Native.errno()));
    }
    this.fd = (int) fd;
    int sqEntries = params.getInt(0);
    int cqEntries = params.getInt(4);
    if ((params.getInt(20) & FEAT_SINGLE_MMAP) == 0) {
      close();
      throw new IOException("this kernel's io_uring needs two ring mappings; Zero maps one");
    }
    // struct io_sqring_offsets at 40, struct io_cqring_offsets at 80.
    sqTail = params.getInt(44);
    sqArray = params.getInt(64);
    cqHead = params.getInt(80);
    cqTail = params.getInt(84);
    cqes = params.getInt(100);
    ringSize = Math.max(sqArray + 4L * sqEntries, cqes + (long) CQE_SIZE * cqEntries);
    ringAddress = Native.LIBC.syscall(SYS_MMAP, 0, ringSize, PROT_READ_WRITE, MAP_SHARED_POPULATE, this.fd, 0);
    sqesSize = (long) SQE_SIZE * sqEntries;
    sqesAddress = Native.LIBC.syscall(SYS_MMAP, 0, sqesSize, PROT_READ_WRITE, MAP_SHARED_POPULATE, this.fd, OFF_SQES);
    int errno = Native.errno();
    if (ringAddress == -1 || sqesAddress == -1) {
      close();
      throw new IOException("mapping the io_uring failed: " + Mounter.strerror(errno));
    }
    ring = MEMORY.newDirectByteBuffer(ringAddress, (int) ringSize).order(ByteOrder.LITTLE_ENDIAN);
    sqMask = ring.getInt(params.getInt(48));
    cqMask = ring.getInt(params.getInt(88));
    ByteBuffer all = MEMORY.newDirectByteBuffer(sqesAddress, (int) sqesSize);
    sqes = new ByteBuffer[sqEntries];
    for (int i = 0; i < sqEntries; i++) {
      sqes[i] = all.slice(i * SQE_SIZE, SQE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
      ring.putInt(sqArray + 4 * i, i); // the ring's slot i always holds entry i
    }
    seenCq = (int) INT.getAcquire(ring, cqHead);
    nextSqe = (int) INT.getAcquire(ring, sqTail);
  }

  /** Queues the next submission entry, zeroed, for the caller to fill before {@link #submitAndWait}. */
  ByteBuffer submission() {
    int index = nextSqe & sqMask;
    ByteBuffer sqe = sqes[index];
    for (int i = 0; i < SQE_SIZE; i += 8) {
      sqe.putLong(i, 0);
    }
    nextSqe++;
    unsubmitted++;
    return sqe;
  }

  /** Submits the queued entries and waits for a completion; returns 0, or -errno. */
  int submitAndWait() {
    INT.setRelease(ring, sqTail, nextSqe); // the entries are filled: the kernel may read them
    while (true) {
      long submitted = Native.LIBC.syscall(SYS_IO_URING_ENTER, fd, unsubmitted, 1, ENTER_GETEVENTS, 0, 0);
      if (submitted >= 0) {
        unsubmitted -= (int) submitted;
        return 0;
      }
      int errno = Native.errno();
      if (errno != Errors.EINTR) {
        return -errno;
      }
    }
  }

  /** Takes the oldest completion's result, or {@code Long.MIN_VALUE} when there is none. */
  long completion() {
    int tail = (int) INT.getAcquire(ring, cqTail);
    if (seenCq == tail) {
      return Long.MIN_VALUE;
    }
    int result = ring.getInt(cqes + CQE_SIZE * (seenCq & cqMask) + 8); // struct io_uring_cqe: user_data, res, flags
    seenCq++;
    INT.setRelease(ring, cqHead, seenCq); // the entry is read: the kernel may reuse it
    return result;
  }

  @Override
  public void close() {
    if (sqesAddress != 0 && sqesAddress != -1) {
      Native.LIBC.syscall(SYS_MUNMAP, sqesAddress, sqesSize, 0, 0, 0, 0);
    }
    if (ringAddress != 0 && ringAddress != -1) {
      Native.LIBC.syscall(SYS_MUNMAP, ringAddress, ringSize, 0, 0, 0, 0);
    }
    Native.LIBC.close(fd);
  }
}
